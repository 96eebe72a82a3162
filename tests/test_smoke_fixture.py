from models.tickets import take_ticket


def test_take_first_number(engine, now):
    assert take_ticket(engine, queue="M", now=now).number == "M001"
