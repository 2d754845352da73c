"""门诊共济报销计算器 Django project package."""
