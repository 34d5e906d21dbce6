"""What can be on a person's network map, and how each tie is described."""

from django.db import models


class EntryType(models.TextChoices):
    # People
    FAMILY = "family", "Family"
    PARTNER = "partner", "Partner"
    FRIEND = "friend", "Friend"
    NEIGHBOUR = "neighbour", "Neighbour"
    COLLEAGUE = "colleague", "Colleague"
    PROFESSIONAL = "professional", "Professional"
    PEER = "peer", "Peer with shared experience"
    ONLINE = "online", "Online contact"
    # Groups and places
    CLUB = "club", "Club"
    CLASS = "class", "Class"
    FAITH = "faith", "Faith community"
    COMMUNITY_CENTRE = "community-centre", "Community centre"
    CAFE = "cafe", "Cafe"
    LIBRARY = "library", "Library"
    PARK = "park", "Park"
    DAY_CENTRE = "day-centre", "Day centre"
    # Other connections
    ACTIVITY = "activity", "Activity"
    ANIMAL = "animal", "Animal or pet"
    SPIRITUAL = "spiritual", "Spiritual connection"


class Category(models.TextChoices):
    PEOPLE = "people", "People"
    GROUPS = "groups", "Groups and places"
    ACTIVITIES = "activities", "Activities"
    ANIMALS = "animals", "Animals and pets"
    SPIRITUAL = "spiritual", "Spiritual connection"


CATEGORY_OF: dict[str, str] = {
    **{
        t: Category.PEOPLE
        for t in ("family", "partner", "friend", "neighbour", "colleague", "professional", "peer", "online")
    },
    **{
        t: Category.GROUPS
        for t in ("club", "class", "faith", "community-centre", "cafe", "library", "park", "day-centre")
    },
    "activity": Category.ACTIVITIES,
    "animal": Category.ANIMALS,
    "spiritual": Category.SPIRITUAL,
}


class Ring(models.TextChoices):
    INNER = "inner", "Inner: closest"
    MIDDLE = "middle", "Middle"
    OUTER = "outer", "Outer"


class Frequency(models.TextChoices):
    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"
    LESS_OFTEN = "less-often", "Less often"
    LOST_TOUCH = "lost-touch", "Lost touch"


class Quality(models.TextChoices):
    SUPPORTIVE = "supportive", "Supportive"
    MIXED = "mixed", "Mixed"
    DIFFICULT = "difficult", "Difficult"


class Wants(models.TextChoices):
    MORE = "more", "More"
    SAME = "same", "The same"
    LESS = "less", "Less"
