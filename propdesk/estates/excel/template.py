"""The downloadable roster template (花名册模板): one sheet, a header row, an example row."""

import io

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from propdesk.estates.excel.columns import COLUMNS, EXAMPLE_ROW
from propdesk.estates.excel.upload import MAX_ROWS

TEMPLATE_FILENAME = "roster-template.xlsx"
SHEET_TITLE = "花名册 roster"

# Columns Excel must keep as text: long digit strings (IDs, mobiles) would otherwise turn into
# rounded numbers, and room numbers such as 0101 would lose their leading zero.
TEXT_COLUMNS = {
    "building",
    "unit",
    "room",
    "owner_mobile",
    "owner_id_number",
    "co_owner_mobile",
    "co_owner_id_number",
    "plates",
}
CHOICE_LISTS = {
    "kind": ["住宅", "商业"],
    "status": ["未售", "空置", "入住", "装修"],
    "owner_kind": ["个人", "公司"],
    "owner_id_type": ["身份证", "护照", "港澳通行证", "台湾通行证", "统一社会信用代码"],
}
NOTES = {
    "building": "必填。楼栋编号，只用字母和数字。\nRequired. Letters and digits only.",
    "unit": "必填。单元编号。\nRequired.",
    "room": "必填。房号；房屋编码为 楼栋-单元-房号，如 3-2-1502。\n"
    "Required. The house code is building-unit-room.",
    "floor": "必填。整数，-10 到 200。\nRequired. A whole number from -10 to 200.",
    "area_m2": "必填。大于 0，最多两位小数。\nRequired. More than 0, at most two decimals.",
    "kind": "住宅 或 商业；留空为住宅。\nresidential or commercial; empty means residential.",
    "status": "未售/空置/入住/装修；留空为未售。\nEmpty means unsold.",
    "delivered_on": "日期，如 2021-06-30。\nA date such as 2021-06-30.",
    "owner_name": "留空表示暂无业主。同一证件号码的业主只登记一次，已在档案中的业主直接沿用。\n"
    "Leave empty for no owner. An owner with the same ID number is registered once; "
    "owners already in the archive are reused.",
    "owner_kind": "个人 或 公司；留空为个人。\nperson or company; empty means person.",
    "owner_id_type": "留空时个人为身份证，公司为统一社会信用代码。\n"
    "Empty means resident ID for a person, credit code for a company.",
    "owner_id_number": "身份证号须通过校验。\nResident ID numbers are checksum-validated.",
    "co_owner_id_number": "居民身份证号。\nResident ID number.",
    "plates": "多个车牌用 、 , 或 ; 分隔。\nSeparate several plates with 、 , or ;",
}


def roster_template() -> bytes:
    """The template workbook; the example row is skipped if it is left in an upload."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="1F4E79")
    required_fill = PatternFill("solid", fgColor="C00000")
    example_font = Font(italic=True, color="808080")
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index, value=column.title)
        cell.font = header_font
        cell.fill = required_fill if column.required else header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        note = NOTES.get(column.key) or column.hint
        if note:
            cell.comment = Comment(f"{note}\n{column.hint}".strip(), "propdesk", 160, 320)
        example = sheet.cell(row=2, column=index, value=EXAMPLE_ROW[column.key])
        example.font = example_font
        if column.key in TEXT_COLUMNS:
            example.number_format = "@"
            sheet.column_dimensions[letter].number_format = "@"
        if column.key == "area_m2":
            example.number_format = "0.00"
        if column.key == "delivered_on":
            example.number_format = "yyyy-mm-dd"
        sheet.column_dimensions[letter].width = max(12, len(column.en) + 4)
        if column.key in CHOICE_LISTS:
            validation = DataValidation(
                type="list",
                formula1='"' + ",".join(CHOICE_LISTS[column.key]) + '"',
                allow_blank=True,
                showErrorMessage=False,
            )
            sheet.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
    sheet.row_dimensions[1].height = 36
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
