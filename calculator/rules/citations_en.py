"""English names for the parts of a citation that are not the documents' own words.

A clause is cited by its document's title, 文号, article and a verbatim quote; those stay as
the document has them. An English page or answer names, beside them, the issuer and the
article in English and describes the title ("" where no English is known: the Chinese is
then shown as it is). Plain Python (no Django): the API's English answer uses them
(report.py), as the web pages do (web/labels.py).
"""

from __future__ import annotations

import re

from calculator.rules.messages import chinese_number

# A short English description of each Chinese document and rule title, shown after the
# title on English pages (titles and quotes stay Chinese). Keyed by the data's own title.
TITLE_DESCRIPTIONS_EN = {
    # Rule versions
    "徐州市职工基本医疗保险门诊共济保障机制实施细则": "Xuzhou implementing rules for employees' outpatient mutual-aid cover",
    "山西省职工基本医疗保险普通门诊统筹管理办法": "Shanxi measures for employees' general outpatient pooling",
    "上海市职工基本医疗保险门诊共济保障（2023医保年度起门急诊待遇）": "Shanghai employees' outpatient mutual-aid cover (outpatient and emergency benefits from the 2023 insurance year)",
    "武汉市职工基本医疗保险门诊共济保障实施细则": "Wuhan implementing rules for employees' outpatient mutual-aid cover",
    "武汉市职工医保普通门诊统筹优化方案（据转载）": "Wuhan's improved general outpatient pooling plan for employees (from re-posts)",
    "玉溪市职工基本医疗保险门诊共济保障实施细则": "Yuxi implementing rules for employees' outpatient mutual-aid cover",
    "云南省职工基本医疗保险门诊共济保障实施办法": "Yunnan measures for employees' outpatient mutual-aid cover",
    "云南省职工基本医疗保险门诊共济保障实施办法（玉溪市适用）": "Yunnan measures for employees' outpatient mutual-aid cover (as applied to Yuxi)",
    "内蒙古自治区本级及呼和浩特市职工基本医疗保险普通门诊统筹（据转载）": "Inner Mongolia (region level and Hohhot): employees' general outpatient pooling (from re-posts)",
    # Documents
    "2023医保年度职工医保待遇标准（转载）": "Shanghai employees' benefit standards for the 2023 insurance year (re-post)",
    "2023武汉职工医保门诊改革政策（转载）": "Wuhan 2023 employees' outpatient reform (re-post)",
    "7月起,上海在职职工门急诊自负段标准降低至500元（转载）": "Shanghai: employees' outpatient self-pay band lowered to 500 yuan from July (re-post)",
    "上海市职工基本医疗保险门诊共济保障机制实施办法（所存文本无标题）": "Shanghai measures for employees' outpatient mutual-aid cover (the text has no title)",
    "今年本市退休职工的门急诊待遇是多少?（转载）": "Shanghai: this year's outpatient benefits for retirees (re-post)",
    "关于印发《职工基本医疗保险普通门诊统筹管理办法》的通知": "Notice issuing the measures for employees' general outpatient pooling (Shanxi)",
    "内蒙古自治区人民政府办公厅关于建立完善职工基本医疗保险门诊共济保障机制的实施意见": "Inner Mongolia government office: opinions on employees' outpatient mutual-aid cover",
    "内蒙古自治区本级职工基本医疗保险门诊共济保障实施细则（转载）": "Inner Mongolia region-level implementing rules for employees' outpatient cover (re-post)",
    "南方周末关于武汉职工医保门诊“优化方案”的报道（转载）": "Southern Weekly report on Wuhan's improved outpatient plan (re-post)",
    "呼和浩特市建立完善职工基本医疗保险门诊共济保障实施细则（转载）": "Hohhot implementing rules for employees' outpatient mutual-aid cover (re-post)",
    "市政府关于印发徐州市职工基本医疗保险门诊共济保障机制实施细则的通知": "Xuzhou city government notice issuing the implementing rules for employees' outpatient cover",
    "最新标准!2024-2025武汉职工医保门诊报销比例（转载）": "Wuhan employees' outpatient reimbursement rates, 2024–2025 (re-post)",
    "武汉职工医保普通门诊统筹年度支付限额（转载）": "Wuhan employees' general outpatient annual payment caps (re-post)",
    "武汉职工医保门诊报销比例(最新)（转载）": "Wuhan employees' outpatient reimbursement rates (re-post)",
}
# Where a document's passage is not "第N条" (headings of re-posts, numbered sections): its
# English name. "第N条" and its parts are named by article_label_en.
ARTICLES_EN = {
    "二": "Section 2", "三": "Section 3", "四": "Section 4",
    "二、（一）1": "Section 2 (1), item 1", "二、（一）2": "Section 2 (1), item 2", "二、（三）": "Section 2 (3)",
    "二、（四）3": "Section 2 (4), item 3", "三、（二）": "Section 3 (2)", "七（一）": "Section 7 (1)", "一（三）": "Section 1 (3)",
    "三、关于统筹基金最高支付限额": "Section 3, on the pooling fund's maximum payment",
    "四、开放定点药店门诊统筹报销": "Section 4, outpatient pooling at designated pharmacies",
    "主要任务（一）": "Main tasks (1)", "主要任务（二）1、2": "Main tasks (2), items 1 and 2", "主要任务（二）2": "Main tasks (2), item 2",
    "主要任务（三）": "Main tasks (3)", "主要任务（六）": "Main tasks (6)",
    "门诊统筹待遇标准": "Outpatient pooling benefit standards", "普通门诊统筹待遇": "General outpatient pooling benefits",
    "门急诊费用支付分段": "Payment bands for outpatient and emergency costs",
    "药店凭处方购药": "Pharmacy purchases",
    "药店凭处方购药（2023年4月10日调整前）": "Pharmacy purchases (before 10 April 2023)",
    "施行日期": "Date of effect", "执行日期": "Date of effect", "报销比例": "Reimbursement rates", "年度支付限额": "Annual payment cap",
    "乙类先行自付": "Class B paid first", "2023年4月10日调整": "The change of 10 April 2023", "2023医保年度说明": "Notes on the 2023 insurance year",
}
def article_label_en(article: str) -> str:
    """A passage's reference in English: "第八条（一）（二）" → "Article 8 (1) (2)", "第五条、第六条"
    → "Articles 5 and 6"; a heading from the list above by its English name; "" where none is
    known (the page then shows the document's own words)."""
    if article in ARTICLES_EN:
        return ARTICLES_EN[article]
    parts = re.fullmatch(r"第([一二三四五六七八九十]+)条(?:、第([一二三四五六七八九十]+)条)?((?:（[一二三四五六七八九十]+）)*)(?:至（([一二三四五六七八九十]+)）)?", article)
    if not parts:
        return ""
    first, second, subs, until = parts.groups()
    numbers = [chinese_number(first)] + ([chinese_number(second)] if second else [])
    items = [chinese_number(s) for s in re.findall(r"（([一二三四五六七八九十]+)）", subs or "")]
    if None in numbers or None in items or (until and chinese_number(until) is None):
        return ""
    text = f"Articles {numbers[0]} and {numbers[1]}" if second else f"Article {numbers[0]}"
    if items:
        text += " " + " ".join(f"({n})" for n in items)
    if until:
        text += f" to ({chinese_number(until)})"
    return text


# The issuers' names in English; that a source is a re-post is said by its status label.
ISSUERS_EN = {
    "上海市医疗保障局（上海医保官网，经转载）": "Shanghai Healthcare Security Administration",
    "上海市医疗保障局（上海医保待遇表，经转载）": "Shanghai Healthcare Security Administration",
    "上海市医疗保障局（上海医保，经转载）": "Shanghai Healthcare Security Administration",
    "上海市医疗保障局（中国劳动关系网转载）": "Shanghai Healthcare Security Administration",
    "上海市（所存文本未载发文机关）": "Shanghai (issuer not named in the text)",
    "云南省人民政府办公厅": "General Office of the Yunnan Provincial Government",
    "内蒙古自治区人民政府办公厅": "General Office of the Inner Mongolia Autonomous Region Government",
    "内蒙古自治区医疗保障部门（经转载）": "Inner Mongolia healthcare security authorities",
    "南方周末（转载）": "Southern Weekly",
    "呼和浩特市医疗保障局（经转载）": "Hohhot Healthcare Security Administration",
    "山西省医疗保障局、山西省财政厅、山西省卫生健康委员会": "Shanxi Healthcare Security Administration, Department of Finance and Health Commission",
    "徐州市人民政府": "Xuzhou Municipal Government",
    "晋城市医疗保障局、晋城市财政局、晋城市卫生健康委员会": "Jincheng Healthcare Security Administration, Finance Bureau and Health Commission",
    "武汉市人民政府办公厅": "General Office of the Wuhan Municipal Government",
    "武汉市医疗保障局（武汉本地宝转载）": "Wuhan Healthcare Security Administration",
    "武汉市医疗保障局（经转载）": "Wuhan Healthcare Security Administration",
    "玉溪市人民政府办公室": "General Office of the Yuxi Municipal Government",
    "社保网（转载）": "Shebao.net",
}


def issuer_description(issuer: str) -> str:
    """The English description of an issuer's Chinese name ("" when there is none)."""
    return ISSUERS_EN.get(issuer, "")


def title_description(title: str) -> str:
    """The English description of a Chinese title ("" when there is none)."""
    return TITLE_DESCRIPTIONS_EN.get(title, "")
