"""Fixed lists used on a person's record. Ethnicity follows the ONS 2021 Census (England and Wales)."""

from django.db import models


class AgeBand(models.TextChoices):
    UNDER_18 = "under-18", "Under 18"
    AGE_18_24 = "18-24", "18 to 24"
    AGE_25_34 = "25-34", "25 to 34"
    AGE_35_49 = "35-49", "35 to 49"
    AGE_50_64 = "50-64", "50 to 64"
    AGE_65_74 = "65-74", "65 to 74"
    AGE_75_84 = "75-84", "75 to 84"
    AGE_85_PLUS = "85+", "85 or over"
    NOT_KNOWN = "", "Not known"


class Gender(models.TextChoices):
    WOMAN = "woman", "Woman"
    MAN = "man", "Man"
    NON_BINARY = "non-binary", "Non-binary"
    SELF_DESCRIBED = "self-described", "In another way"
    NOT_SAID = "not-said", "Prefers not to say"
    NOT_KNOWN = "", "Not known"


class Ethnicity(models.TextChoices):
    ASIAN_BANGLADESHI = "asian-bangladeshi", "Asian or Asian British: Bangladeshi"
    ASIAN_CHINESE = "asian-chinese", "Asian or Asian British: Chinese"
    ASIAN_INDIAN = "asian-indian", "Asian or Asian British: Indian"
    ASIAN_PAKISTANI = "asian-pakistani", "Asian or Asian British: Pakistani"
    ASIAN_OTHER = "asian-other", "Asian or Asian British: any other Asian background"
    BLACK_AFRICAN = "black-african", "Black, Black British, Caribbean or African: African"
    BLACK_CARIBBEAN = "black-caribbean", "Black, Black British, Caribbean or African: Caribbean"
    BLACK_OTHER = "black-other", "Black, Black British, Caribbean or African: any other Black background"
    MIXED_WHITE_ASIAN = "mixed-white-asian", "Mixed or multiple ethnic groups: White and Asian"
    MIXED_WHITE_BLACK_AFRICAN = (
        "mixed-white-black-african",
        "Mixed or multiple ethnic groups: White and Black African",
    )
    MIXED_WHITE_BLACK_CARIBBEAN = (
        "mixed-white-black-caribbean",
        "Mixed or multiple ethnic groups: White and Black Caribbean",
    )
    MIXED_OTHER = "mixed-other", "Mixed or multiple ethnic groups: any other Mixed background"
    WHITE_BRITISH = "white-british", "White: English, Welsh, Scottish, Northern Irish or British"
    WHITE_IRISH = "white-irish", "White: Irish"
    WHITE_GYPSY_TRAVELLER = "white-gypsy-traveller", "White: Gypsy or Irish Traveller"
    WHITE_ROMA = "white-roma", "White: Roma"
    WHITE_OTHER = "white-other", "White: any other White background"
    OTHER_ARAB = "other-arab", "Other ethnic group: Arab"
    OTHER_ANY = "other-any", "Other ethnic group: any other ethnic group"
    NOT_SAID = "not-said", "Prefers not to say"
    NOT_KNOWN = "", "Not known"


class ContactMethod(models.TextChoices):
    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"
    EMAIL = "email", "E-mail"
    LETTER = "letter", "Letter"
    VISIT = "visit", "Visit"


class LivingArrangement(models.TextChoices):
    ALONE = "alone", "Lives alone"
    PARTNER = "partner", "With a partner"
    FAMILY = "family", "With family"
    SHARED = "shared", "With others (shared house)"
    SUPPORTED = "supported", "Supported or sheltered housing, or a care home"
    TEMPORARY = "temporary", "Temporary accommodation or homeless"
    OTHER = "other", "Other"
    NOT_KNOWN = "", "Not known"


class Mobility(models.TextChoices):
    DRIVES = "drives", "Drives"
    USES_BUSES = "uses-buses", "Uses buses or trains"
    WALKS = "walks", "Walks to local places"
    NEEDS_DOOR_TO_DOOR = "door-to-door", "Needs door-to-door transport"
    HOUSEBOUND = "housebound", "Housebound"


class DigitalAccess(models.TextChoices):
    NONE = "none", "No internet access"
    PHONE_ONLY = "phone-only", "Basic mobile phone only"
    SMARTPHONE = "smartphone", "Smartphone"
    HOME_INTERNET = "home-internet", "Internet at home"
    NEEDS_HELP = "needs-help", "Has access but needs help to use it"
    NOT_KNOWN = "", "Not known"


class TriggerGroup(models.TextChoices):
    BEREAVED = "bereaved", "Recently bereaved"
    NEW_PARENT = "new-parent", "New parent aged 18 to 24"
    RETIRED_OR_ALONE = "retired-alone", "Retired or living alone"
    SEPARATED = "separated", "Separated or divorced"
    MOBILITY_HEALTH = "mobility-health", "Mobility or health problems"
    MENTAL_HEALTH = "mental-health", "Mental health"


class ConsentPurpose(models.TextChoices):
    SUPPORT = "support", "To receive support from the service"
    SHARE_WITH_GP_REFERRER = "share-gp-referrer", "To share updates with their GP and referrer"
    VOLUNTEER_CONTACT = "volunteer-contact", "To be contacted by volunteers"
    ANONYMOUS_MEASURES = "anonymous-measures", "For their answers to be used anonymously in reports"
    STORY = "story", "For their story to be shared (anonymously)"


class ConsentMethod(models.TextChoices):
    VERBAL = "verbal", "Said so in person or by phone"
    WRITTEN = "written", "Signed a form"
    ONLINE = "online", "Ticked a box online"
    REFERRER = "referrer", "Confirmed by the referrer"
