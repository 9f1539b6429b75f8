"""Pinyin keys for searching people by name: `zhangsan` and `zs` both find 张三."""

import re

from pypinyin import lazy_pinyin

# pypinyin reads these characters with their common reading; as surnames they read otherwise.
SURNAME_READINGS = {
    "单": "shan",
    "曾": "zeng",
    "解": "xie",
    "区": "ou",
    "仇": "qiu",
    "朴": "piao",
    "查": "zha",
    "盖": "ge",
    "缪": "miao",
    "覃": "qin",
    "尉": "yu",
    "翟": "zhai",
    "乐": "yue",
    "种": "chong",
    "长": "chang",
    "重": "chong",
    "燕": "yan",
    "柏": "bai",
    "秘": "bi",
    "藏": "zang",
}
_NON_LETTER = re.compile(r"[^a-z0-9]")


def name_keys(name: str, *, is_person: bool = True) -> tuple[str, str]:
    """Return (full pinyin, initials), lower-case, without spaces or punctuation."""
    name = (name or "").strip()
    if not name:
        return "", ""
    syllables = lazy_pinyin(name, errors=lambda chars: list(chars))
    if is_person and name[0] in SURNAME_READINGS:
        syllables[0] = SURNAME_READINGS[name[0]]
    syllables = [_NON_LETTER.sub("", s.lower()) for s in syllables]
    syllables = [s for s in syllables if s]
    full = "".join(syllables)[:120]
    initials = "".join(s[0] for s in syllables)[:40]
    return full, initials


__all__ = ["name_keys"]
