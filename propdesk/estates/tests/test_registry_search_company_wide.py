"""Registry search across many communities: the first 20 by pinyin, whatever community they are in.

A company-wide search picks the ids of its first rows from a covering index before loading any
row (search._first); these tests pin that the answer is the same as sorting every match.
"""

from propdesk.estates import search, services

ZS_NAMES = [
    "张三",
    "赵爽",
    "周顺",
    "朱森",
    "郑淑",
    "钟书",
    "邹松",
    "曾山",
    "张帅",
    "赵硕",
    "周杉",
    "张顺",
]


def _owners(admin, communities, names):
    owners = []
    for index, name in enumerate(names):
        owners.append(
            services.owner_create(
                actor=admin,
                community=communities[index % len(communities)],
                name=name,
                mobile=f"1390000{index:04d}",
            )
        )
    return owners


def test_an_admin_gets_the_first_twenty_by_pinyin_across_communities(
    admin, community_a, community_b
):
    owners = _owners(admin, [community_a, community_b], ZS_NAMES * 2)
    expected = sorted(owners, key=lambda o: (o.name_pinyin, o.id))[: search.SEARCH_LIMIT]

    hits = search.registry_search(admin, "zs")

    assert [(h.owner_id, h.community_name) for h in hits] == [
        (o.id, o.community.name) for o in expected
    ]


def test_an_agent_gets_only_their_communitys_owners_in_pinyin_order(
    agent, admin, community_a, community_b
):
    owners = _owners(admin, [community_a, community_b], ZS_NAMES)
    expected = sorted(
        (o for o in owners if o.community_id == community_a.id), key=lambda o: (o.name_pinyin, o.id)
    )

    hits = search.registry_search(agent, "zs")

    assert [h.owner_id for h in hits] == [o.id for o in expected]


def test_a_room_number_lists_houses_by_code_before_people(admin, community_a, community_b):
    buildings = [
        services.building_create(actor=admin, community=community, number=number)
        for community in (community_a, community_b)
        for number in ("2", "10")
    ]
    for building in buildings:
        services.house_create(
            actor=admin, building=building, unit_number="1", number="1502", floor=15, area_m2="90"
        )
    _owners(admin, [community_a], ["李四"])  # mobile ends in 0000, not 1502

    hits = search.registry_search(admin, "1502")

    assert [(h.match, h.house_code, h.community_name) for h in hits] == [
        ("house", "10-1-1502", "甲小区"),
        ("house", "10-1-1502", "乙小区"),
        ("house", "2-1-1502", "甲小区"),
        ("house", "2-1-1502", "乙小区"),
    ]


def test_a_full_mobile_finds_a_resident(agent, admin, house_a):
    services.resident_add(
        actor=admin, house=house_a, relation="family", name="李四", mobile="13900001111"
    )
    services.resident_add(
        actor=admin, house=house_a, relation="family", name="王五", mobile="13800001111"
    )

    hits = search.registry_search(agent, "13900001111")

    assert [(h.match, h.house_code, h.person_name) for h in hits] == [
        ("resident", "3-2-1502", "李四")
    ]


def test_full_pinyin_finds_a_resident_as_initials_do(agent, admin, house_a):
    services.resident_add(
        actor=admin, house=house_a, relation="family", name="李思远", mobile="13900001111"
    )

    for query in ("lisiyuan", "lisiy", "lsy"):
        hits = search.registry_search(agent, query)
        assert [(h.match, h.house_code, h.person_name) for h in hits] == [
            ("resident", "3-2-1502", "李思远")
        ], query


def test_plates_are_listed_in_plate_order_across_communities(admin, community_a, community_b):
    houses = []
    for community in (community_a, community_b):
        building = services.building_create(actor=admin, community=community, number="1")
        houses.append(
            services.house_create(
                actor=admin, building=building, unit_number="1", number="101", floor=1, area_m2="80"
            )
        )
    plates = ["粤B12999", "粤B12001", "粤B12500", "粤BD12345"]
    for house, plate in zip(houses * 2, plates, strict=True):
        services.vehicle_add(actor=admin, house=house, plate=plate)

    hits = search.registry_search(admin, "粤B12")

    assert [h.label for h in hits] == ["粤B***01", "粤B***00", "粤B***99"]  # plates are masked
