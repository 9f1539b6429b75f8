from propdesk.estates import search, services


def _labels(hits):
    return [(h.match, h.house_code, h.person_name) for h in hits]


def test_it_finds_a_house_by_code(agent, zhang_san):
    hits = search.registry_search(agent, "3-2-1502")
    assert _labels(hits) == [("house", "3-2-1502", "张三")]
    assert hits[0].mobile_masked == "138****5678"


def test_it_finds_owners_by_initials_pinyin_and_name(agent, zhang_san):
    for query in ("zs", "ZS", "zhangsan", "zhangs", "张三", "张"):
        assert _labels(search.registry_search(agent, query)) == [("owner", "3-2-1502", "张三")], (
            query
        )


def test_it_finds_by_mobile_tail_and_full_mobile(agent, zhang_san):
    assert _labels(search.registry_search(agent, "5678")) == [("owner", "3-2-1502", "张三")]
    assert _labels(search.registry_search(agent, "13812345678")) == [("owner", "3-2-1502", "张三")]


def test_it_finds_by_plate(agent, admin, zhang_san, house_a):
    services.vehicle_add(actor=admin, house=house_a, plate="粤B12345", owner=zhang_san)
    assert _labels(search.registry_search(agent, "粤B123")) == [("vehicle", "3-2-1502", "张三")]


def test_it_finds_residents(agent, admin, house_a):
    services.resident_add(
        actor=admin, house=house_a, relation="family", name="李四", mobile="13900001111"
    )
    assert _labels(search.registry_search(agent, "ls")) == [("resident", "3-2-1502", "李四")]
    assert _labels(search.registry_search(agent, "1111")) == [("resident", "3-2-1502", "李四")]


def test_it_does_not_show_another_communitys_records(personas, zhang_san):
    assert search.registry_search(personas["other_agent"], "zs") == []
    assert search.registry_search(personas["other_agent"], "3-2-1502") == []


def test_a_former_owner_no_longer_lists_the_house(agent, admin, zhang_san, house_a):
    li = services.owner_create(actor=admin, community=house_a.community, name="李雷")
    services.ownership_transfer(actor=admin, house=house_a, new_owners=[li])
    assert _labels(search.registry_search(agent, "zs")) == [("owner", "", "张三")]
    assert _labels(search.registry_search(agent, "3-2-1502")) == [("house", "3-2-1502", "李雷")]


def test_empty_and_junk_queries_find_nothing(agent, zhang_san):
    assert search.registry_search(agent, "") == []
    assert search.registry_search(agent, "%") == []
    assert search.registry_search(agent, "'; drop table x; --") == []
