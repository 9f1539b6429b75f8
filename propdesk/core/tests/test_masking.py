from propdesk.core.masking import mask_id_number, mask_mobile, mask_plate


def test_it_masks_mobiles_keeping_prefix_and_tail():
    assert mask_mobile("13812345678") == "138****5678"
    assert mask_mobile("") == ""


def test_it_masks_id_numbers_keeping_four_each_side():
    assert mask_id_number("440106199001011234") == "4401**********1234"


def test_it_masks_plates():
    assert mask_plate("粤B12345") == "粤B***45"
