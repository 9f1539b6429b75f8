from propdesk.core.pinyin import name_keys


def test_it_gives_full_pinyin_and_initials():
    assert name_keys("张三") == ("zhangsan", "zs")


def test_it_reads_surnames_as_surnames():
    assert name_keys("曾小贤") == ("zengxiaoxian", "zxx")
    assert name_keys("单雄信")[1] == "sxx"


def test_company_names_are_not_read_as_surnames():
    assert name_keys("长城物业", is_person=False)[1] == "ccwy"
