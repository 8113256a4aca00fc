"""The CRM phrase book: column keys, which CRM wrote a header, and which column is which."""

import pandas as pd

from sim.crm_columns import channel_key, column_key, map_columns, recognise, stage_key


def test_keys_write_names_the_way_the_tables_do():
    assert column_key("  Deal - Source channel ") == "deal_source_channel"
    assert stage_key("Closed-Won!") == "closed won"
    assert channel_key(" Paid Search ") == "paid_search"


def test_recognise_needs_two_own_columns_and_no_tie():
    assert recognise(["Lead ID", "Lead Source", "Converted Date", "Lead Owner"]) == "salesforce"
    assert recognise(["Lead ID", "Lead Owner"]) is None  # one own column is not enough
    assert recognise(["Deal - ID", "Deal - Title", "Deal - Status"]) == "pipedrive"
    assert recognise(["created_at", "channel", "won"]) is None  # the documented names only


def test_map_columns_takes_the_users_map_first_and_labels_renamed_columns():
    raw = pd.DataFrame(columns=["Herkunft", "Lead Source", "Created"])
    fields, labels = map_columns(raw, None, {"Herkunft": "channel"}, deals_file=False)
    assert fields == {"channel": "Herkunft", "created_at": "Created"}
    assert labels["channel"] == "channel ('Herkunft')"


def test_a_deals_file_names_its_lead_in_the_lead_column():
    raw = pd.DataFrame(columns=["Record ID", "Associated Contact IDs", "Create Date"])
    fields, _ = map_columns(raw, "hubspot", {}, deals_file=True)
    assert fields["lead_id"] == "Associated Contact IDs"
