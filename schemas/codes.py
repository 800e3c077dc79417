"""The data model's code lists (docs: ../shared/docs/DATA_MODEL.md, "Canonical categories")."""

SEX = ("female", "male", "other", "unknown", "not_recorded")
GENDER_IDENTITY = ("woman", "man", "transgender_or_gender_diverse", "unknown", "not_recorded")
AGE_GROUP = ("child", "adult", "unknown", "not_recorded")
RACE_ETHNICITY = ("indigenous", "black_afrodescendant", "hispanic_latino", "white", "asian", "mena",
                  "pacific_islander", "multiple", "other", "unknown", "not_recorded")
NATIONALITY_SPECIAL = ("MULTIPLE", "STATELESS", "FOREIGN_UNSPECIFIED", "UNKNOWN", "NOT_RECORDED")
# In statistics of a confidential source only: nationalities (and countries) held by fewer than
# k records over its whole log, published together (global recoding; docs/disclosure_control.md).
RECODED_GROUP = "OTHER"
COUNTRY_SPECIAL = ("UNKNOWN",)
# `self_harm` extends the data model's list: suicide in custody fits none of its categories.
CAUSE = ("drowning", "transport", "environmental_exposure", "illness", "violence",
         "accident_other", "self_harm", "multiple", "unknown")
CRIMINAL = ("criminal", "non_criminal", "undetermined")
SCOPE = ("in_transit", "in_custody", "at_destination", "unknown")
STATUS = ("dead", "missing", "unknown")
# `record_id`: the year is read from the publisher's record id (MMP "2020.MMP01074"), the row
# having no date or year of its own. `filed`*: the year a court case was filed (charges brought
# in court), as a prosecution dataset dates its cases (HTPD).
YEAR_BASIS = ("incident", "reported", "found", "fiscal", "record_id", "filed")
# `charges`*: persons charged with (or at a stage for) an offence, once per person and offence
# however many counts; a person charged with several offences counts once under each, so only
# the offence margin of this unit counts charges, never persons.
UNIT = ("persons", "incidents", "offences", "cases", "unspecified", "charges")
FLAG_TEXT = ("yes", "no")
ALL = "all"
# Consistency warnings a deaths row may carry in `flags` (source warnings, never "fixed").
DEATH_FLAGS = (
    "sex_split_exceeds_total",      # females + males above the row total: split goes to unknown
    "children_exceed_total",        # children above the row total: age goes to unknown
    "negative_count",               # a negative dead or missing count (an IOM correction)
    "dead_missing_exceed_total",    # dead + missing above the row total: status goes to unknown
    "total_differs_from_parts",     # the published total is not dead + missing
    "year_from_record_id",          # no date or year in the row; year taken from the id prefix
                                    # (its year_basis is then `record_id`)
    "date_unparsed",                # a date cell no known format reads; year from another column
    "national_of_reporting_country",  # e.g. a U.S. citizen on a U.S. custody list
    "age_sentinel_unknown",         # age written as a sentinel (Pima County's 100) meaning unknown
    "future_date",                  # a date after the snapshot date
    "outside_published_area",       # kept in the catalog, left out of the statistics: outside
                                    # the area the source is published for (NamUs: not in a
                                    # listed border county)
    "not_in_stats",                 # kept in the catalog, left out of the statistics (with one
                                    # of the flags below saying why)
    "publisher_total",              # the publisher's total row beside its parts (USBP's
                                    # Southwest Border Total): the statistics' own all-margin
    "pima_examiner_record",         # nmd_border_deaths: a Pima County medical examiner's record,
                                    # the same deaths pcome_humane_borders publishes
    "derived_from_cbp_deaths",      # cbp_deaths_tables: a yearly count computed from the
                                    # person-level list cbp_deaths (a cross-check, not published)
    "other_publisher_definition",   # cbp_deaths_tables: BJS's arrest-related deaths of CBP, a
                                    # different publisher and definition (not published)
    "repeats_other_file",           # cbp_deaths_tables: CBP's figures as another file of the
                                    # snapshot already gives them (not published twice)
    "repeats_other_sheet",          # nmd_border_deaths: a row of the sheet "Maverick County" that
                                    # repeats one of the sheet "Maverick" (same day and sex)
    "remainder_of_total",           # the publisher's total less the parts it names
    "year_differs_from_date",       # the row's Year column and the year of its date disagree
                                    # (nmd_border_deaths: the Year column is kept)
)

# --- crimes and prosecutions ----------------------------------------------------------------
SUBJECT = ("victim", "offender", "incident")
# Whom a crimes/prosecutions source counts: only migrants (an NGO or shelter log), or everyone
# in the country (GLOTIP, hate crime, SESNSP), where nationality is how it speaks of migrants.
POPULATION = ("migrants", "general")
# The data model's list, extended where a source needs it (marked *): trafficking in persons
# of unstated form*, trafficking of minors*, migrant smuggling not stated to be aggravated*
# (SESNSP's federal Ley de Migración offences; 8 USC 1324: bringing in, transporting or
# harbouring aliens), threats*, domestic violence*, other
# gender-based violence*, other*, unknown* (a source total its parts fall short of).
CRIME_TYPE = ("homicide", "femicide", "assault", "kidnapping", "extortion", "robbery", "rape",
              "sexual_assault_other", "sexual_harassment", "trafficking_sexual_exploitation",
              "trafficking_forced_labour", "trafficking_other", "trafficking_unspecified",
              "trafficking_of_minors", "smuggling_aggravated", "smuggling_unspecified",
              "disappearance", "abuse_of_authority", "discrimination", "hate_crime", "threats",
              "domestic_violence", "gender_violence_other", "other", "unknown")
STAGE = ("reported", "recorded", "suspect_identified", "prosecuted", "convicted", "acquitted",
         "dismissed", "pending", "unknown")
PERPETRATOR = ("state_agent", "organised_crime", "smuggler", "common_criminal",
               "intimate_partner_or_family", "other_migrant", "other", "unknown", "not_recorded")
SGBV = ("yes", "no", "unknown")

# --- linkage, overlap and estimates -------------------------------------------------------------
# Areas where death lists are linked (the declared PAIRINGS, one module per area).
# us_az_pima_ome_jurisdiction: the deaths the Pima County medical examiner examined (its
# jurisdiction covers neighbouring counties too).
# us_border_counties_outside_pima_ome: the border counties of maps/nmd_border_counties.csv
# (California, Arizona's Yuma, New Mexico, Texas), where nmd_border_deaths' other sub-sources
# and MMP's US incidents are linked.
# europe_routes: deaths on the way to Europe or in it (UNITED, The Migrants' Files, and MMP's
# incidents in the Mediterranean, in Europe and on the Atlantic route to the Canary Islands).
AREA = ("us_az_pima_county", "us_az_pima_ome_jurisdiction", "us_border_counties_outside_pima_ome",
        "europe_routes")
# What the union's upper bound subtracts: nothing, or the links true at the lower end of the
# 95 % interval of the pairing's measured precision (docs/linkage.md).
LINK_QUALITY_BASIS = ("answer_key", "clerical_review", "none")
ESTIMATE_METHOD = ("chapman", "loglinear")
# Assumptions of capture-recapture (docs/linkage.md, README of deaths_estimates).
ESTIMATE_ASSUMPTIONS = ("closed_population", "independence", "equal_catchability", "perfect_linkage")
ESTIMATE_STATUS = ("estimated", "not_estimated")
# lists_entered_from_the_same_records: both lists are entered, for most of their records,
# from the records of the same examiners or agencies (or one list cites the other): not
# independent captures.
# persons_caught_by_incident: the lists count incidents of one to hundreds of persons, so
# persons are not caught one by one and an incident's size decides which lists hold it.
ESTIMATE_REASON = ("one_list_entered_from_the_other", "lists_entered_from_the_same_records",
                   "no_person_in_both_lists", "no_list_linked", "persons_caught_by_incident")
