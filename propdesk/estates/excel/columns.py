"""The columns of the roster template, shared by the template download and the import.

The header titles are fixed Chinese with an English hint, whatever the console language, so a
file filled in by one user imports for every other. The import recognises a column by its full
title, its Chinese or English half, or a few common variants (楼号, 手机号…).
"""

import datetime
import re
from dataclasses import dataclass, field

from propdesk.estates.models import HouseKind, HouseStatus, IdType, OwnerKind


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    required: bool = False
    hint: str = ""
    aliases: tuple[str, ...] = field(default=())

    @property
    def title(self) -> str:
        """The header cell of the template: 楼栋* / building."""
        return f"{self.zh}{'*' if self.required else ''}\n{self.en}"

    @property
    def label(self) -> str:
        """How messages name the column: 楼栋 (building)."""
        return f"{self.zh} ({self.en})"

    def names(self) -> set[str]:
        return {
            normalize_header(name)
            for name in (self.title, self.zh, self.en, self.zh + self.en, self.key, *self.aliases)
        }


COLUMNS: tuple[Column, ...] = (
    Column("building", "楼栋", "building", True, "1, 3, A…", ("楼号", "楼栋号", "栋")),
    Column("unit", "单元", "unit", True, "1, 2…", ("单元号",)),
    Column("room", "房号", "room", True, "1502", ("房间号", "室", "门牌号")),
    Column("floor", "楼层", "floor", True, "-10 … 200", ("所在楼层",)),
    Column("area_m2", "建筑面积(m²)", "area m²", True, "89.50", ("建筑面积", "面积", "area")),
    Column("kind", "房屋类型", "kind", False, "住宅/商业 residential/commercial", ("类型",)),
    Column(
        "status",
        "房屋状态",
        "status",
        False,
        "未售/空置/入住/装修 unsold/vacant/occupied/decorating",
        ("状态",),
    ),
    Column("delivered_on", "交付日期", "delivered on", False, "2021-06-30", ("交房日期",)),
    Column("owner_name", "业主姓名", "owner name", False, "张三", ("业主", "业主名称")),
    Column("owner_kind", "业主类型", "owner kind", False, "个人/公司 person/company"),
    Column("owner_mobile", "业主手机", "owner mobile", False, "13812345678", ("业主手机号",)),
    Column(
        "owner_id_type",
        "证件类型",
        "ID type",
        False,
        "身份证/护照/港澳通行证/台湾通行证/统一社会信用代码",
        ("业主证件类型",),
    ),
    Column("owner_id_number", "证件号码", "ID number", False, "", ("业主证件号码", "身份证号")),
    Column("co_owner_name", "共有人姓名", "co-owner name", False, "李四", ("共有人",)),
    Column("co_owner_mobile", "共有人手机", "co-owner mobile", False, "", ("共有人手机号",)),
    Column(
        "co_owner_id_number",
        "共有人身份证号",
        "co-owner ID number",
        False,
        "",
        ("共有人证件号码",),
    ),
    Column(
        "plates",
        "车牌号",
        "plate numbers",
        False,
        "粤B12345、粤BD12345 (、 , ;)",
        ("车牌", "车牌号码"),
    ),
)

COLUMNS_BY_KEY = {column.key: column for column in COLUMNS}
REQUIRED_KEYS = tuple(column.key for column in COLUMNS if column.required)

# What people type in the choice columns → the registry's values.
KIND_VALUES = {
    "住宅": HouseKind.RESIDENTIAL,
    "商业": HouseKind.COMMERCIAL,
    "商铺": HouseKind.COMMERCIAL,
}
STATUS_VALUES = {
    "未售": HouseStatus.UNSOLD,
    "空置": HouseStatus.VACANT,
    "入住": HouseStatus.OCCUPIED,
    "已入住": HouseStatus.OCCUPIED,
    "装修": HouseStatus.DECORATING,
    "装修中": HouseStatus.DECORATING,
}
OWNER_KIND_VALUES = {"个人": OwnerKind.PERSON, "公司": OwnerKind.COMPANY, "企业": OwnerKind.COMPANY}
ID_TYPE_VALUES = {
    "身份证": IdType.RESIDENT_ID,
    "居民身份证": IdType.RESIDENT_ID,
    "护照": IdType.PASSPORT,
    "港澳通行证": IdType.HK_MACAO_PERMIT,
    "港澳居民来往内地通行证": IdType.HK_MACAO_PERMIT,
    "台湾通行证": IdType.TAIWAN_PERMIT,
    "台胞证": IdType.TAIWAN_PERMIT,
    "统一社会信用代码": IdType.CREDIT_CODE,
    "信用代码": IdType.CREDIT_CODE,
}

# The example row of the template; an import skips a row identical to it.
EXAMPLE_ROW = {
    "building": "3",
    "unit": "2",
    "room": "1502",
    "floor": 15,
    "area_m2": 89.5,
    "kind": "住宅",
    "status": "入住",
    "delivered_on": datetime.date(2021, 6, 30),
    "owner_name": "张三",
    "owner_kind": "个人",
    "owner_mobile": "13812345678",
    "owner_id_type": "身份证",
    "owner_id_number": "11010519491231002X",
    "co_owner_name": "李四",
    "co_owner_mobile": "13912345678",
    "co_owner_id_number": "110105198001010016",
    "plates": "粤B12345、粤BD12345",
}

PLATE_SEPARATORS = re.compile(r"[、,，;；\n]+")  # not spaces: 粤B 12345 is one plate
_HEADER_NOISE = re.compile(r"[\s*＊()（）\[\]【】_\-/:：]+")


def normalize_header(text: str) -> str:
    return _HEADER_NOISE.sub("", str(text or "")).lower().replace("㎡", "m²")


def choice_value(text: str, aliases: dict, choices) -> str | None:
    """Map 住宅 / residential / Residential to the stored value; None when unknown."""
    key = text.strip()
    if key in aliases:
        return aliases[key]
    lowered = key.lower()
    return lowered if lowered in choices.values else None
