"""The policy data's own sentences (assumptions and notices) in the active language.

The policy data is Chinese; its assumptions, version notices and "no figure" reasons are
the calculator's own words, so they are translated: the Chinese text is the msgid, exactly
as the data file writes it. ``NOTICE_TEXTS`` lists them so that makemessages finds them;
``tests/web/test_notice_translations.py`` checks every text in the data files is listed.

The engine's sentences (steps, its own notices) are not here: they are rendered from the
structured trace in the requested language (``calculator/rules/messages.py``), so nothing
is ever parsed back out of a sentence.
"""

from __future__ import annotations

from django.utils.translation import get_language, gettext, gettext_noop

NOTICE_TEXTS = [
    # -- The policy data (calculator/rules/data/**/*.yaml): assumptions, version notices,
    #    annual_cap.none_reason, personal_account none reasons, and the explanations the
    #    engine shows as a notice (retiree_start, class_b_first_self_pay without a rate).
    # xuzhou-2023/benefit_year assumption
    gettext_noop("文件称“统筹年度”，未写明起止日期；本计算器按自然年度（1月1日至12月31日）累计。"),
    # xuzhou-2023/annual_cap assumption
    gettext_noop("文件写作“政策范围内医疗费用的最高支付限额为7000元”；按各地门诊统筹的通行口径，本计算器理解为统筹基金年度累计支付不超过7000元。"),
    # xuzhou-2023/internet assumption
    gettext_noop("徐州文件只提出“探索”将“互联网+”医疗服务纳入保障，未规定支付标准；本计算器按您填写的医疗机构级别估算，实际以医保经办机构结算为准。"),
    # xuzhou-2023 notice xuzhou-county-hospital
    gettext_noop("徐州文件规定二级医疗机构含县级医院：填为三级的就诊如果是在县级医院，医疗机构级别请改选“二级”，按二级医疗机构的比例计算。"),
    # xuzhou-2023/personal_account retired none
    gettext_noop("徐州文件规定退休人员个人账户按2022年本人划拨规模定额划入、2024年起按基本养老金平均水平的2.5%划入，但未给出具体金额，无法据此计算。"),
    # shanxi-2023 notice shanxi-2024-unverified
    gettext_noop("有报道称山西自2024年7月起提高门诊统筹待遇（年度限额在职2500元、退休3000元；在一类、二类、三类收费价格医疗机构的支付比例，在职分别为55%、60%、65%，退休分别为60%、65%、70%；年度累计起付达300元后不再收取起付标准；乙类先行自付5%），尚未见官方原文，本计算器仍按晋医保发〔2022〕12号计算。"),
    # shanxi-2023/price_class_default assumption
    gettext_noop("文件按“一类/二类/三类收费价格医疗机构”定待遇，没有写明与医院等级的对应关系；本计算器推定三级医院为一类、二级医院为二类、一级及以下（含社区卫生服务中心、乡镇卫生院）为三类及以下（依据：山西中医价格报道中一类为最高价格类别，湖南同类价格分类有官方对应），您可以按就诊机构实际的收费价格类别自行更改。"),
    # shanxi-2023/internet assumption
    gettext_noop("文件只写明支付比例按实体医疗机构级别执行；本计算器对起付标准也按该实体医疗机构的收费价格类别计算。"),
    # shanxi-2023/class_b_first_self_pay assumption
    gettext_noop("因文件未给出乙类先行自付比例，本计算器按不扣先行自付计算，实际统筹基金支付可能略低于计算结果，以医保结算为准。"),
    # shanxi-2023/class_b_first_self_pay explanation
    gettext_noop("文件规定乙类药品和医疗服务项目要先按规定比例自付，但没有写明比例，所以本计算器不计算这一项。"),
    # shanxi-2023/account_use assumption
    gettext_noop("第九条只写明符合规定费用中“个人支付部分可由医保个人账户（含家庭共济账户）按规定支付”，未列明哪些费用可用个人账户支付；本计算器按个人账户支付统筹基金支付后个人负担的全部费用计算（含起付标准、超过限额的部分和全自费部分），不足部分由现金支付，实际以医保结算为准。"),
    # shanxi-2023/personal_account employed none
    gettext_noop("本文件是门诊统筹管理办法，没有规定在职职工个人账户的计入标准，无法据此计算。"),
    # shanxi-2023/personal_account retired none
    gettext_noop("本文件是门诊统筹管理办法，没有规定退休人员个人账户的划入标准，无法据此计算。"),
    # shanghai-2023/benefit_year assumption
    gettext_noop("本计算器收录的上海办法文本未写明医保年度的起止日期，本计算器按上海医保官网内容的转载，以每年7月1日至次年6月30日为一个医保年度。"),
    # shanghai-2023/policy_range assumption
    gettext_noop("本计算器收录的上海办法文本没有单列门急诊费用的政策范围条款；本计算器按医保目录内（政策范围内）费用计算，目录外费用由个人负担。"),
    # shanghai-2023/annual_cap assumption
    gettext_noop("本计算器不知道您当年住院等费用已用去多少统筹基金，因此不检查这一总限额。"),
    # shanghai-2023/annual_cap none_reason
    gettext_noop("上海没有单独的门急诊年度支付限额；统筹基金最高支付限额（2023医保年度为61万元，据转载2024医保年度为63万元）由门急诊、住院、门诊大病、家庭病床和定点零售药店等费用共用，本计算器只计算门诊费用，不对门诊单独设限。"),
    # shanghai-2023/internet assumption
    gettext_noop("本计算器收录的上海办法文本只提出将符合条件的“互联网+”医疗服务项目纳入支付范围，未规定支付标准；本计算器按您填写的医疗机构级别估算，实际以医保结算为准。"),
    # shanghai-2023/non_designated assumption
    gettext_noop("本计算器收录的上海办法文本没有专门写明非定点机构的费用不予支付；主要任务（三）规定个人账户主要用于定点医疗机构或定点零售药店的政策范围内自付费用，2022年7月1日起扩大的使用范围也只限于在定点医疗机构就医、在定点零售药店购药发生的个人负担费用；本计算器据此推定非定点机构的费用统筹基金不予支付。"),
    # shanghai-2023/account_use assumption
    gettext_noop("本计算器按上海医保说明的分段顺序计算：当年账户资金先支付，这部分不计入自负段；当年账户用完后，自负段和共付段中个人负担的部分先由历年账户结余支付（上海医保待遇表附注：“如个人医疗账户有历年结余资金的,先由历年结余资金支付”），不足部分由个人现金支付。该说明发布于2022年，2023年调整标准后未见分段方式改变。全自费部分：主要任务（三）允许自2022年7月1日起用个人账户支付在定点医疗机构发生的个人负担费用，但未说明由哪个账户、按什么顺序支付；本计算器将其全部计入现金支付，实际结算时现金支付可能更少。"),
    # wuhan-2023-02 notice wuhan-effective-date
    gettext_noop("本计算器收录的武汉细则文本未载施行日期；本计算器采用的施行日期2023年2月1日来自转载文章，尚未见官方原文。"),
    # wuhan-2023-02/offsite assumption
    gettext_noop("未备案异地就医同时有乙类费用时，本计算器先扣乙类先行自付，再对余下的符合政策范围费用按10%先行自付（第十七条未写明两者的先后）。"),
    # wuhan-2023-02/pharmacy assumption
    gettext_noop("细则第二十三条只写“逐步将符合条件的定点零售药店提供的用药保障服务纳入门诊保障范围”，未规定药店支付比例；本计算器按武汉本地宝转载所写的调整前比例计算：在职人员60%，退休人员68%（同一转载：“退休人员 药店凭处方购药,报销比例从68%提高到90%”）。"),
    # wuhan-2023-02/internet assumption
    gettext_noop("细则只提出“探索”将“互联网+医疗服务”纳入门诊保障，未规定支付标准；本计算器按您填写的医疗机构级别估算，实际以医保结算为准。"),
    # wuhan-2023-04 notice wuhan-optimisation-secondary
    gettext_noop("2023年4月10日起的武汉“优化方案”（取消门诊报销起付线、提高支付比例和退休人员支付限额）来自本地宝、社保网等转载，尚未见官方原文；本计算器按转载内容计算，未涉及的事项沿用《武汉市职工基本医疗保险门诊共济保障实施细则》。"),
    # wuhan-2023-04/offsite assumption
    gettext_noop("优化方案的转载没有提到异地就医，本计算器继续按细则第十七条执行：其中第十四条至第十六条的标准（起付标准、支付比例、限额）按优化方案调整后的标准计算（不设起付标准）。未备案异地就医同时有乙类费用时，本计算器先扣乙类先行自付，再对余下的符合政策范围费用按10%先行自付（第十七条未写明两者的先后）。"),
    # wuhan-2023-04/internet assumption
    gettext_noop("细则只提出“探索”将“互联网+医疗服务”纳入门诊保障，优化方案的转载也未提及，未见支付标准；本计算器按您填写的医疗机构级别估算，实际以医保结算为准。"),
    # wuhan-2023-04/non_designated assumption
    gettext_noop("优化方案的转载没有提到非定点医疗机构，本计算器继续按细则第十三条执行：只有在定点医疗机构门诊就医的费用由统筹基金按比例支付（优化方案已取消其中的起付标准）。"),
    # wuhan-2023-04/retiree_start assumption
    gettext_noop("优化方案的转载没有提到退休待遇的起始时间，本计算器继续按细则第七条执行。"),
    # wuhan-2023-02 and wuhan-2023-04/personal_account flexible_retired called (第六条's name)
    gettext_noop("门诊和购药补助"),
    # wuhan-2023-04/personal_account assumption
    gettext_noop("优化方案的转载没有提到个人账户计入标准，本计算器继续按细则第五条、第六条计算。"),
    # yuxi-2023/annual_cap assumption
    gettext_noop("本计算器所依据的文件没有给出玉溪职工医保住院支付比例，因此对转入住院待遇的部分只列出金额，不计算统筹基金支付。达到限额的那次就诊，列为转入住院待遇的是按比例应由统筹基金支付、因限额未支付的部分；这次就诊按比例个人自付的部分仍列为个人负担，实际结算时其中超过限额的费用也可能按住院待遇报销。"),
    # yuxi-2023/chronic assumption
    gettext_noop("第十条没有写明门诊慢性病起付标准是每年一次还是每次就诊（第八条的“在一个自然年度内”也用于按次收取的普通门诊起付标准）；本计算器按每个自然年度累计一次300元计算，并与普通门诊分别计算。"),
    # yuxi-2023/pharmacy assumption
    gettext_noop("该条写的是“双通道”定点零售药店；细则没有其他条款规定普通门诊在药店购药的待遇，本计算器对持外配处方在门诊统筹定点零售药店购药一律按开具处方的医疗机构级别计算。"),
    # yuxi-2023, yuxi-2024, yunnan-2024 and neimenggu-2022 account_use assumption (one reading, one text)
    gettext_noop("文件规定个人账户可以用于支付在定点医疗机构就医发生的由个人负担的医疗费用，没有写明与统筹基金结算的先后；本计算器按统筹基金先结算、个人账户再支付个人负担的全部费用（含全自费部分）计算，不足部分由现金支付。"),
    # yuxi-2023/personal_account retired none
    gettext_noop("细则规定退休人员个人账户由统筹基金按定额划入，逐步调整到实施改革当年基本养老金平均水平的2%，但未给出具体金额，无法据此计算。"),
    # yuxi-2024 notice yuxi-adopts-yunnan
    gettext_noop("云南省办法第三条规定适用于本省职工医保全体参保人员，第八条称年度最高支付限额“全省统一”；本计算器据此自2024年11月1日起对玉溪适用云南省办法；尚未见玉溪市的专门文件。"),
    # yuxi-2024/deductible assumption
    gettext_noop("省办法只对年度最高支付限额写明“全省统一”，第二十条还允许各统筹地区结合本地实际细化政策规定；未见玉溪另定起付标准，本计算器按省办法的20/40/60元计算。"),
    # yuxi-2024/fund_ratio assumption
    gettext_noop("支付比例同样未见玉溪另定（理由同起付标准：省办法第二十条允许各统筹地区细化政策），本计算器按省办法的比例计算。"),
    # yuxi-2024/annual_cap assumption
    gettext_noop("本办法没有给出职工医保住院待遇的起付标准和支付比例，因此对转入住院待遇的部分只列出金额，不计算统筹基金支付。达到限额的那次就诊，列为转入住院待遇的是按比例应由统筹基金支付、因限额未支付的部分；这次就诊按比例个人自付的部分仍列为个人负担，实际结算时其中超过限额的费用也可能按住院待遇报销。"),
    # yuxi-2024 notice yuxi-chronic-continues
    gettext_noop("云南省办法没有规定门诊慢性病待遇，本计算器继续按玉溪细则第十条计算（玉溪细则依据的云政办规〔2021〕1号已被省办法废止，玉溪是否调整尚未见文件）。"),
    # yuxi-2024/offsite and yunnan-2024/offsite assumption
    gettext_noop("本办法第十六条只要求完善门诊异地就医直接结算、扩大联网结算范围，没有写明异地就医的支付标准；本计算器对已备案的异地就医按参保地的标准计算。"),
    # yuxi-2024/internet assumption
    gettext_noop("本办法把定点“互联网”医疗机构纳入普通门诊保障（第五条、第十二条），但没有写明按哪一级别报销；本计算器按互联网医院依托的实体医疗机构级别计算。"),
    # neimenggu-2022 notice neimenggu-secondary
    gettext_noop("内蒙古自治区本级和呼和浩特市的起付标准、支付比例和年度最高支付限额来自转载文章（转载自治区本级和呼和浩特市的实施细则），尚未见官方原文；本计算器按转载内容计算，实际以当地医保部门规定为准。"),
    # neimenggu-2022 notice neimenggu-other-leagues
    gettext_noop("内蒙古各盟市标准不同，本计算器仅按自治区本级和呼和浩特市的标准计算；其他盟市（如巴彦淖尔、锡林郭勒）的起付标准、支付比例和支付限额可能不同，请以当地医保部门规定为准。"),
    # neimenggu-2022 notice neimenggu-overall-cap
    gettext_noop("门诊统筹的年度最高支付限额计入住院统筹基金的年度最高支付限额：本计算器不知道您当年住院等已用去多少统筹基金，只按门诊的限额计算；住院已用去的多时，门诊实际能支付的可能更少。"),
    # neimenggu-2022 notice neimenggu-2024-unverified
    gettext_noop("有报道称内蒙古自2024年起起付标准改为按医疗机构级别设定（在职职工三级500元、二级300元、一级及以下200元，退休人员300元、200元、50元），尚未见官方原文，本计算器仍按自治区本级和呼和浩特市2022年的标准计算。"),
    # neimenggu-2022/benefit_year assumption
    gettext_noop("细则转载只写“在一个年度内”，未写明起止日期；本计算器按自然年度（1月1日至12月31日）累计。"),
    # neimenggu-2022/deductible assumption
    gettext_noop("自治区本级细则的转载写明起付标准按“个人账户资金和现金累计支付”的政策范围内费用计算，家庭成员共济使用个人账户的部分不计入；本计算器把您本人每次就诊的政策范围内费用按日期顺序计入起付标准。"),
    # neimenggu-2022/pharmacy assumption
    gettext_noop("自治区文件只支持持外配处方在定点零售药店结算，转载的细则也没有规定药店的支付比例；本计算器按开具处方的医疗机构级别估算，实际以医保结算为准。"),
    # neimenggu-2022/internet assumption
    gettext_noop("自治区文件只提出“探索”将“互联网+”医疗服务纳入医保支付，未规定支付标准；本计算器按您填写的医疗机构级别估算，实际以医保结算为准。"),
    # neimenggu-2022/personal_account retired none
    gettext_noop("自治区文件规定退休人员个人账户以2021年全区平均基本养老金为基数，2022年10月1日起按3%、2023年起按2%定额划入，但未给出该平均养老金数额，无法据此计算。"),
]

# Who a personal-account sentence is about (engine.py ``_personal_account``), as a noun
# inside a sentence ("for retirees").


def notice_text(message: str) -> tuple[str, bool]:
    """A data sentence in the active language, and whether it was translated.

    In Chinese it is the message itself (``False``: nothing was translated); in English it is
    the catalogue's translation, or the message unchanged (``False``) when there is none."""
    if not message or (get_language() or "zh-hans").lower().startswith("zh"):
        return message, False
    shown = gettext(message)
    return (message, False) if shown == message else (shown, True)
