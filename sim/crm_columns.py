"""The names CRMs give things: columns, stages, yes and no, and which CRM wrote a file.

A phrase book for the customs officer of :mod:`sim.crm`: the documented columns the reader
returns, the names each CRM (Salesforce, HubSpot, Pipedrive, Zoho) writes for them, the words
that mean yes, no, won, lost and still open, and the two questions asked of every header: which
CRM wrote it (:func:`recognise`) and which of its columns is which field (:func:`map_columns`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import pandas as pd

# the documented columns (kept in step with sim.calibrate.COLUMNS, which imports nothing from
# here, so calibrate can import the reader lazily without a cycle)
COLUMNS = ("lead_id", "created_at", "channel", "first_contact_at", "status", "became_mql_at",
           "became_sql_at", "opportunity_at", "closed_at", "won", "amount", "discount")
TIMES = ("created_at", "first_contact_at", "became_mql_at", "became_sql_at", "opportunity_at",
         "closed_at")
# fields read beside the documented ones, to decide the outcome of a deal or the kind of file
EXTRA_TIMES = ("won_at", "lost_at")
FLAGS = ("won", "is_closed", "converted")
LEAD_ONLY = ("first_contact_at", "became_mql_at", "became_sql_at", "status", "lifecycle",
             "converted")
DEAL_FIELDS = ("stage", "won", "is_closed", "won_at", "lost_at", "amount")
CRMS = ("salesforce", "hubspot", "pipedrive", "zoho")

# Column names, written as column_key() writes them (lower case, anything else an underscore).
GENERIC: dict[str, tuple[str, ...]] = {
    "lead_id": ("lead_id", "id", "lead", "record_id"),
    "created_at": ("created_at", "created", "created_date", "create_date", "lead_created",
                   "createddate"),
    "channel": ("channel", "source", "lead_source", "leadsource", "utm_source", "origin"),
    "first_contact_at": ("first_contact_at", "first_contact", "first_touch_at",
                         "first_response_at", "first_activity_at"),
    "status": ("status", "lead_status", "final_state", "state"),
    "became_mql_at": ("became_mql_at", "mql_at", "mql_date", "became_mql"),
    "became_sql_at": ("became_sql_at", "sql_at", "sql_date", "became_sql"),
    "opportunity_at": ("opportunity_at", "opp_created_at", "opportunity_created_at",
                       "opportunity_date"),
    "closed_at": ("closed_at", "close_date", "closedate", "closed"),
    "won": ("won", "is_won", "closed_won", "iswon"),
    "amount": ("amount", "deal_amount", "value", "revenue", "deal_value"),
    "discount": ("discount", "discount_rate"),
    "stage": ("stage", "deal_stage", "opportunity_stage"),
}
PRESETS: dict[str, dict[str, tuple[str, ...]]] = {
    # Salesforce: Data Loader API names (Lead and Opportunity objects) and report labels
    "salesforce": {
        "lead_id": ("lead_id", "id", "opportunity_id"),
        "created_at": ("createddate", "created_date"),
        "channel": ("leadsource", "lead_source"),
        "status": ("status", "lead_status"),
        "first_contact_at": ("first_contact_date", "first_contact_date_c", "first_contact_c"),
        "became_mql_at": ("mql_date", "mql_date_c"),
        "became_sql_at": ("sql_date", "sql_date_c"),
        "opportunity_at": ("converteddate", "converted_date", "opportunity_created_date"),
        "closed_at": ("closedate", "close_date"),
        "stage": ("stagename", "stage", "opportunity_stage"),
        "won": ("iswon", "won"),
        "is_closed": ("isclosed", "closed"),
        "amount": ("amount", "opportunity_amount"),
        "discount": ("discount", "discount_c"),
        "deal_lead": ("convertedleadid", "converted_lead_id"),
    },
    # HubSpot: contacts and deals exports
    "hubspot": {
        "lead_id": ("record_id", "contact_id", "hs_object_id"),
        "created_at": ("create_date", "createdate"),
        "channel": ("original_source", "original_source_type", "hs_analytics_source"),
        "status": ("lead_status", "hs_lead_status"),
        "lifecycle": ("lifecycle_stage", "lifecyclestage"),
        "first_contact_at": ("first_outreach_date", "date_of_first_engagement"),
        "became_mql_at": ("became_a_marketing_qualified_lead_date",),
        "became_sql_at": ("became_a_sales_qualified_lead_date",),
        "opportunity_at": ("became_an_opportunity_date",),
        "closed_at": ("close_date", "closedate"),
        "stage": ("deal_stage", "dealstage"),
        "amount": ("amount",),
        "discount": ("discount",),
        "deal_lead": ("associated_contact_ids", "associated_contact_id", "contact_ids"),
    },
    # Pipedrive: deals export ("Deal - " before every field)
    "pipedrive": {
        "lead_id": ("deal_id",),
        "created_at": ("deal_deal_created", "deal_created", "add_time"),
        "channel": ("deal_source_channel", "deal_source_origin", "deal_source", "deal_lead_source"),
        "stage": ("deal_status",),
        "pipeline_stage": ("deal_stage",),  # a step in the pipeline, not the outcome
        "won_at": ("deal_won_time", "won_time"),
        "lost_at": ("deal_lost_time", "lost_time"),
        "closed_at": ("deal_deal_closed_on", "deal_close_time", "close_time"),
        "expected_close": ("deal_expected_close_date", "expected_close_date"),
        "amount": ("deal_value",),
        "discount": ("deal_discount",),
        "deal_lead": ("deal_person_id", "person_id", "deal_contact_person_id"),
    },
    # Zoho CRM: leads export (converted leads carry their deal's stage and amount)
    "zoho": {
        "lead_id": ("record_id", "lead_id"),
        "created_at": ("created_time",),
        "channel": ("lead_source",),
        "status": ("lead_status",),
        "first_contact_at": ("first_contact_time", "first_contacted_time"),
        "became_mql_at": ("mql_date", "mql_time"),
        "became_sql_at": ("sql_date", "sql_time"),
        "opportunity_at": ("converted_time", "conversion_time"),
        "converted": ("converted", "is_converted"),
        "stage": ("stage", "deal_stage"),
        "closed_at": ("closing_date",),
        "amount": ("amount",),
        "discount": ("discount",),
    },
}
# columns only one CRM writes, used to recognise it (beside its preset's own names)
SIGNS = {
    "salesforce": ("opportunity_name", "opportunity_owner", "account_name", "lead_owner",
                   "probability", "fiscal_period", "converted_opportunity_id", "isconverted"),
    "hubspot": ("deal_name", "deal_owner", "contact_owner", "pipeline", "associated_company",
                "became_a_customer_date", "became_a_lead_date"),
    "pipedrive": ("deal_title", "deal_owner", "deal_organization", "deal_pipeline"),
    "zoho": ("modified_time", "lead_name", "record_id", "converted_time"),
}
# a deals file names its lead in one of these; its own id is then not the lead's
DEAL_LEAD = ("lead_id", "contact_id", "associated_contact_ids", "associated_contact_id",
             "converted_lead_id", "deal_person_id", "person_id")

TRUE_WORDS = {"true", "t", "yes", "y", "1", "1.0", "x", "✓", "✔", "checked", "on", "wahr", "ja",
              "j", "vrai", "oui", "sí", "si", "verdadero", "waar", "vero", "sì", "won"}
FALSE_WORDS = {"false", "f", "no", "n", "0", "0.0", "", "-", "unchecked", "off", "falsch", "nein",
               "faux", "non", "falso", "onwaar", "nee", "lost"}
WON_STAGES = {"closed won", "closedwon", "won", "customer", "closed won deal", "deal won",
              "gewonnen", "abgeschlossen gewonnen", "gagne", "gagné", "ganado", "ganada", "vinto",
              "gewonnen deal"}
LOST_STAGES = {"closed lost", "closedlost", "lost", "deal lost", "closed lost to competition",
               "verloren", "abgeschlossen verloren", "perdu", "perdue", "perdido", "perdida",
               "perso"}
OPEN_STAGES = {"open", "prospecting", "qualification", "needs analysis", "value proposition",
               "id decision makers", "perception analysis", "proposal price quote",
               "negotiation review", "appointment scheduled", "qualified to buy",
               "presentation scheduled", "decision maker bought in", "contract sent", "lead in",
               "contact made", "demo scheduled", "proposal made", "negotiations started",
               "new", "identify decision makers", "proposal", "negotiation", "discovery"}


def column_key(name: object) -> str:
    """A column name as the tables above write it: lower case, anything else an underscore."""
    return re.sub(r"[^0-9a-z]+", "_", str(name).strip().lower()).strip("_")


def stage_key(value: object) -> str:
    """A stage name as the stage sets above write it: lower case words, single spaces."""
    return " ".join(re.sub(r"[^\w]+", " ", str(value).lower()).split())


def channel_key(value: object) -> str:
    """A channel name as a scenario names it: an identifier such as ``paid_search``."""
    return re.sub(r"[^\w]+", "_", str(value).strip().lower()).strip("_")


def crm_title(crm: str) -> str:
    """A CRM's name as its maker writes it (``HubSpot``, ``Salesforce``)."""
    return {"hubspot": "HubSpot"}.get(crm, crm.capitalize())


def recognise(headers: Iterable[str]) -> str | None:
    """The preset whose own column names (those no other preset and no documented variant
    uses) the header has most of; at least two, and no tie.
    """
    keys = {column_key(h) for h in headers}
    owners: dict[str, set[str]] = {}
    for crm, table in PRESETS.items():
        for n in [n for names in table.values() for n in names] + list(SIGNS[crm]):
            owners.setdefault(n, set()).add(crm)
    generic = {n for names in GENERIC.values() for n in names}
    scores = dict.fromkeys(PRESETS, 0)
    for k in keys - generic:
        if len(owners.get(k, ())) == 1:
            scores[next(iter(owners[k]))] += 1
    if sum(k.startswith("deal_") for k in keys) >= 3:  # Pipedrive writes "Deal - " before all
        scores["pipedrive"] += 2
    best = max(scores.values())
    winners = [c for c, s in scores.items() if s == best]
    return winners[0] if best >= 2 and len(winners) == 1 else None



def map_columns(raw: pd.DataFrame, crm: str | None, column_map: Mapping[str, str],
                deals_file: bool) -> tuple[dict[str, str], dict[str, str]]:
    """Which column of the file is which field: the user's map first, then the preset's names,
    then the documented names and their variants, then the other presets' names.

    Returns the fields (field: column) and each field's label for messages (``channel
    ('Lead Source')``).
    """
    keys = {column_key(c): c for c in reversed(raw.columns)}  # first of equal names wins
    fields: dict[str, str] = {}
    for given, ours in column_map.items():
        col = keys.get(column_key(given))
        if col is not None:
            fields[ours] = col
    tables = [PRESETS[crm]] if crm else []
    tables += [GENERIC] + [t for c, t in PRESETS.items() if c != crm]
    taken = set(fields.values())
    if deals_file and "lead_id" not in fields:
        _deal_lead_column(keys, tables, fields, taken)
    for table in tables:
        for ours, names in table.items():
            if ours in fields or ours == "deal_lead" or (deals_file and ours == "lead_id"):
                continue
            col = next((keys[n] for n in names if n in keys and keys[n] not in taken), None)
            if col is not None:
                fields[ours] = col
                taken.add(col)
    labels = {ours: f"{ours} ('{theirs}')" if column_key(theirs) != ours else ours
              for ours, theirs in fields.items()}
    return fields, labels


def _deal_lead_column(keys: dict[str, str], tables: list[dict[str, tuple[str, ...]]],
                      fields: dict[str, str], taken: set[str]) -> None:
    """In a deals file the lead column names the lead (the file's own id is the deal's): the
    first known lead column becomes ``lead_id``.
    """
    for name in DEAL_LEAD + tuple(n for t in tables for n in t.get("deal_lead", ())):
        if name in keys and keys[name] not in taken:
            fields["lead_id"] = keys[name]
            taken.add(keys[name])
            return
