"""The demo borough's community directory: HSDS-complete, in every editorial state, work waiting.

About 300 services (the `--services` size) from invented community groups, charities, faith groups,
council departments and NHS teams, at venues across the demo people's neighbourhoods (Leeds LS3 to
LS8). Each service has a category from the activity taxonomy below, a location with an address,
coordinates and accessibility notes, schedules of every shape (weekly, twice a day, fortnightly,
monthly, one-off, term time, closed in August, courses, by arrangement), costs, languages, contacts,
service areas for home visits and borough-wide help, and the facts connectors ask about, with some
left unknown as they are in real directories.

Most entries are published and were checked in the last six months; some are due for review, some
stale, a few archived or drafts. Public suggestions, problem reports and provider claims are waiting
for the editors.

The rows go straight into the tables with bulk_create (a few thousand rows in well under a second),
not through the editorial services one entry at a time, and one audit entry records the load. Ids
are uuid5 values of the seed and every date counts from `today`, so the same seed and day build the
same directory. Nothing here is a real organisation; phone numbers are in Ofcom's drama ranges.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dateutil.easter import easter
from django.conf import settings
from django.db import models
from django.utils.text import slugify

from linkwork.accounts.models import Organisation, User
from linkwork.accounts.roles import Role
from linkwork.audit.services import audit_record
from linkwork.core.time import LONDON, local_today
from linkwork.demo.builder import OPERATOR
from linkwork.directory import geography
from linkwork.directory.models import (
    PUBLIC_STATES,
    Accessibility,
    ActivityLevel,
    Address,
    Atmosphere,
    Attribute,
    Audience,
    Booking,
    ClaimStatus,
    Closure,
    Contact,
    CostBand,
    CostOption,
    EntryState,
    Funding,
    GroupSize,
    Language,
    ListingClaim,
    Location,
    Metadata,
    Organization,
    Phone,
    ProblemKind,
    ProblemReport,
    Program,
    RequiredDocument,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    TaskStatus,
    Taxonomy,
    TaxonomyTerm,
    Verification,
    VerificationMethod,
)

if TYPE_CHECKING:
    from linkwork.demo.builder import DemoOptions, DemoSummary

SOURCE = "demo data"
SUGGESTION_SOURCE = "suggest a service form"
RECORDED_BY = "demo-data"

# --- The activity categories ------------------------------------------------------------------

CATEGORY_NAMESPACE = uuid.UUID("0b6c7f0e-2a4d-5c1b-9e8f-3d2a1c0b9e71")
CATEGORY_TAXONOMY_ID = uuid.uuid5(CATEGORY_NAMESPACE, "taxonomy")
CATEGORY_TAXONOMY_NAME = "linkwork activity categories"
CATEGORY_LINK_TYPE = "category"


@dataclass(frozen=True)
class Category:
    code: str
    name: str
    description: str

    @property
    def term_id(self) -> uuid.UUID:
        return uuid.uuid5(CATEGORY_NAMESPACE, f"term:{self.code}")


CATEGORIES: tuple[Category, ...] = (
    Category("arts", "Arts and crafts", "Painting, knitting, sewing, pottery, writing and making things."),
    Category("music", "Music and singing", "Choirs, singalongs, learning an instrument, music nights."),
    Category("walking", "Walking groups", "Led walks, from gentle strolls to longer rambles."),
    Category("physical", "Physical activity and sport", "Exercise classes, walking football, dance."),
    Category("gardening", "Gardening and nature", "Community gardens, allotments, conservation."),
    Category("lunch", "Lunch clubs and food", "Lunch clubs, community cafés and shared meals."),
    Category("befriending", "Befriending", "A regular friendly visit, call or companion."),
    Category("faith", "Faith and spiritual", "Groups run by or meeting at places of worship."),
    Category("learning", "Learning and skills", "Courses, conversation clubs, talks, book groups."),
    Category("digital", "Digital skills", "Help with phones, tablets, computers and getting online."),
    Category("volunteering", "Volunteering", "Ways to give time and meet people doing it."),
    Category("peer", "Peer support groups", "Groups for people who share an experience or condition."),
    Category("carers", "Carers' support", "Support and time out for unpaid carers."),
    Category("advice", "Advice and practical help", "Money, benefits, housing, forms and food."),
    Category("sheds", "Men's sheds and making", "Workshops for making, mending and chatting."),
)
CATEGORY_BY_CODE = {category.code: category for category in CATEGORIES}

# --- What each kind of service is like --------------------------------------------------------

WEEKLY, TWICE_WEEKLY, TWO_SESSIONS, FORTNIGHTLY = "weekly", "twice_weekly", "two_sessions", "fortnightly"
MONTHLY, ONE_OFF, TERM_TIME, CLOSED_AUGUST = "monthly", "one_off", "term_time", "closed_august"
COURSE, BY_ARRANGEMENT = "course", "by_arrangement"
# Share of the entries with each kind of schedule; every kind appears at least once.
SCHEDULE_KINDS: tuple[tuple[str, float], ...] = (
    (WEEKLY, 0.30),
    (TWICE_WEEKLY, 0.08),
    (TWO_SESSIONS, 0.07),
    (FORTNIGHTLY, 0.08),
    (MONTHLY, 0.12),
    (ONE_OFF, 0.05),
    (TERM_TIME, 0.12),
    (CLOSED_AUGUST, 0.06),
    (COURSE, 0.05),
    (BY_ARRANGEMENT, 0.07),
)
REGULAR = (WEEKLY, TWICE_WEEKLY, TWO_SESSIONS, FORTNIGHTLY, MONTHLY, TERM_TIME, CLOSED_AUGUST)
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR")


@dataclass(frozen=True)
class Idea:
    """One kind of service: the words, and what it is usually like."""

    name: str
    description: str
    activity: str = ActivityLevel.SIT_AND_CHAT
    size: str = GroupSize.MEDIUM
    costs: tuple[int, ...] = (0,)  # pounds per session, one is chosen
    booking: str = Booking.DROP_IN
    shared: str = ""  # the shared experience, for peer groups
    ages: tuple[int | None, int | None] = (None, None)
    mode: str = "venue"  # venue, online, phone or home
    kinds: tuple[str, ...] = REGULAR
    days: tuple[str, ...] = WEEKDAYS
    slots: tuple[str, ...] = ("morning", "afternoon")


A, G, S = ActivityLevel.ACTIVE, ActivityLevel.GENTLE, ActivityLevel.SIT_AND_CHAT
ONE, SMALL, MEDIUM, LARGE = GroupSize.ONE_TO_ONE, GroupSize.SMALL, GroupSize.MEDIUM, GroupSize.LARGE
BOOK = Booking.BOOKING_NEEDED
WALK_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

IDEAS: dict[str, tuple[Idea, ...]] = {
    "arts": (
        Idea(
            "Knit and natter",
            "Bring your knitting or crochet, or learn from scratch. Wool and needles to borrow, tea on "
            "the go and plenty of chat.",
            size=SMALL,
            costs=(0, 1),
        ),
        Idea(
            "Watercolour painting for beginners",
            "Relaxed painting sessions with a local artist. All materials provided and no experience needed.",
            activity=G,
            size=SMALL,
            costs=(3, 5),
            booking=BOOK,
            kinds=(*REGULAR, COURSE),
        ),
        Idea(
            "Craft and chat café",
            "Card making, collage and seasonal makes around the café tables. Stay for as long as you like.",
            costs=(0, 2),
        ),
        Idea(
            "Pottery taster",
            "Hand-building with clay: pinch pots, coil pots and tiles. Aprons provided, and your pieces "
            "are fired for you to take home.",
            activity=G,
            size=SMALL,
            costs=(5,),
            booking=BOOK,
            kinds=(ONE_OFF, COURSE, WEEKLY),
        ),
        Idea(
            "Sewing and mending circle",
            "Bring clothes that need mending, or learn to use a sewing machine. Machines, thread and "
            "patience supplied.",
            size=SMALL,
            costs=(0, 2),
        ),
        Idea(
            "Creative writing group",
            "Short prompts to get you going, then write about anything you like. Share your work only "
            "if you want to.",
            size=SMALL,
            slots=("morning", "evening"),
        ),
        Idea(
            "Art for wellbeing",
            "A calm, small art group for people who find busy places hard. Drawing, printing and "
            "painting at your own pace.",
            activity=G,
            size=SMALL,
            booking=BOOK,
            shared="People living with anxiety or low mood",
        ),
    ),
    "music": (
        Idea(
            "Community choir",
            "A friendly choir with no auditions and no need to read music. Pop, folk and gospel songs, "
            "learned by ear.",
            activity=G,
            size=LARGE,
            costs=(0, 3),
            slots=("afternoon", "evening"),
        ),
        Idea(
            "Memory café singalong",
            "Familiar songs from the fifties, sixties and seventies, with tea and cake. Family and "
            "carers stay and join in.",
            shared="People living with dementia and those who care for them",
            kinds=(MONTHLY, FORTNIGHTLY, WEEKLY),
        ),
        Idea(
            "Ukulele for beginners",
            "Learn three chords and play a whole song in your first session. Ukuleles to borrow.",
            activity=G,
            size=SMALL,
            costs=(2,),
            slots=("afternoon", "evening"),
        ),
        Idea(
            "Drumming circle",
            "African and samba drumming for all abilities. Loud, joyful and good for stress. Drums provided.",
            activity=A,
            costs=(3,),
            slots=("evening",),
        ),
        Idea(
            "Open mic and music night",
            "Play, sing, read a poem or just listen. A relaxed evening with soft drinks and snacks.",
            size=LARGE,
            kinds=(MONTHLY, ONE_OFF),
            days=("TH", "FR", "SA"),
            slots=("evening",),
        ),
        Idea(
            "Singing for better breathing",
            "Breathing exercises and songs led by a trained practitioner, to help with breath control "
            "and confidence.",
            activity=G,
            booking=BOOK,
            shared="People with COPD or other lung conditions",
        ),
    ),
    "walking": (
        Idea(
            "Health walk",
            "A gentle walk of about an hour on flat paths, led by trained volunteer walk leaders, "
            "finishing with a cuppa.",
            activity=G,
            days=WALK_DAYS,
            slots=("morning",),
        ),
        Idea(
            "Buggy walk",
            "A walk for parents and carers with babies and toddlers, with a stop at the play area.",
            activity=G,
            size=SMALL,
            shared="Parents and carers of young children",
            slots=("morning",),
        ),
        Idea(
            "Nordic walking",
            "Walking with poles for a full-body workout. Poles to borrow and a short lesson for "
            "first-timers.",
            activity=A,
            size=SMALL,
            costs=(3,),
            booking=BOOK,
            days=WALK_DAYS,
            slots=("morning",),
        ),
        Idea(
            "Ramble and chat",
            "A longer walk of three to five miles on paths and some hills, with a café stop halfway.",
            activity=A,
            days=("SA", "SU", "WE"),
            slots=("morning",),
            kinds=(WEEKLY, FORTNIGHTLY, MONTHLY, CLOSED_AUGUST),
        ),
        Idea(
            "Heritage walk",
            "A guided walk through the history of {area}: mills, chapels and the people who lived here.",
            activity=G,
            costs=(0, 3),
            booking=BOOK,
            kinds=(ONE_OFF, MONTHLY),
            days=("SA", "SU"),
            slots=("afternoon",),
        ),
        Idea(
            "Walk and talk for men",
            "A steady walk and an easy chat, side by side. Nobody has to talk about anything they do "
            "not want to.",
            activity=A,
            size=SMALL,
            shared="Men going through a hard time",
            days=("SA", "SU", "TU"),
            slots=("morning", "evening"),
        ),
    ),
    "physical": (
        Idea(
            "Walking football",
            "Football without running or tackling. Good for any fitness level and a great way to meet "
            "people.",
            activity=A,
            costs=(2, 3),
            ages=(50, None),
        ),
        Idea(
            "Chair-based exercise",
            "Seated exercises to music to build strength, balance and mobility.",
            activity=G,
            costs=(2,),
            ages=(60, None),
            slots=("morning",),
        ),
        Idea(
            "Tai chi",
            "Slow, flowing movements for balance and calm. Suitable for beginners and people with "
            "limited mobility.",
            activity=G,
            costs=(3, 5),
        ),
        Idea(
            "Strength and balance class",
            "A twelve-week class to build strength and prevent falls, run by a qualified instructor.",
            activity=G,
            size=SMALL,
            booking=BOOK,
            shared="People who have had a fall or worry about falling",
            ages=(65, None),
            kinds=(COURSE, WEEKLY, TERM_TIME),
        ),
        Idea(
            "Gentle yoga",
            "Stretching, breathing and relaxation, on mats or on chairs. Mats provided.",
            activity=G,
            costs=(4, 5),
            slots=("morning", "evening"),
        ),
        Idea(
            "Table tennis drop-in",
            "Bats and balls provided. Play a few games, have a chat, play a few more.",
            activity=A,
            costs=(2,),
        ),
        Idea(
            "Line dancing for beginners",
            "Easy steps to country and pop music. No partner needed and no experience either.",
            activity=A,
            size=LARGE,
            costs=(3,),
            slots=("afternoon", "evening"),
        ),
        Idea(
            "Women's swim",
            "A women-only swim with female lifeguards and the blinds down. All abilities welcome.",
            activity=A,
            costs=(4, 5),
            booking=BOOK,
            ages=(16, None),
            slots=("evening",),
        ),
    ),
    "gardening": (
        Idea(
            "Community garden drop-in",
            "Grow vegetables, flowers and friendships. Tools and gloves provided; no experience needed.",
            activity=G,
            kinds=(WEEKLY, TWICE_WEEKLY, CLOSED_AUGUST, FORTNIGHTLY),
        ),
        Idea(
            "Green gym",
            "Outdoor conservation work, such as clearing paths and planting hedges, that keeps you fit.",
            activity=A,
            days=("TU", "WE", "SA"),
        ),
        Idea(
            "Allotment buddies",
            "Share a plot with an experienced gardener and take home what you grow.",
            activity=G,
            size=SMALL,
            booking=BOOK,
        ),
        Idea(
            "Bird and nature walk",
            "A slow walk to spot birds, bugs and wildflowers, with binoculars to borrow.",
            activity=G,
            size=SMALL,
            kinds=(MONTHLY, FORTNIGHTLY),
            days=("SA", "SU", "WE"),
            slots=("morning",),
        ),
        Idea(
            "Therapeutic gardening",
            "Small, calm gardening sessions with a horticultural therapist. Referral or a chat first.",
            activity=G,
            size=SMALL,
            booking=BOOK,
            shared="People recovering from mental ill health",
        ),
        Idea(
            "Seed swap and plant sale",
            "Bring seeds or cuttings to swap, or just come and browse. Refreshments and growing tips.",
            size=LARGE,
            kinds=(ONE_OFF,),
            days=("SA",),
            slots=("morning",),
        ),
    ),
    "lunch": (
        Idea(
            "Lunch club",
            "A two-course hot lunch and a chat, with a quiz or bingo afterwards.",
            costs=(3, 4, 5),
            booking=BOOK,
            ages=(60, None),
            slots=("lunch",),
        ),
        Idea(
            "Community café",
            "Pay-as-you-feel café serving soup, sandwiches and cake, with a warm welcome.",
            size=LARGE,
            costs=(0, 2),
            slots=("lunch", "morning"),
        ),
        Idea(
            "Cook and eat",
            "Cook a simple, cheap meal together, then sit down and eat it. Recipes to take home.",
            activity=G,
            size=SMALL,
            costs=(2,),
            booking=BOOK,
            kinds=(*REGULAR, COURSE),
        ),
        Idea(
            "Men's breakfast",
            "A cooked breakfast and a chat. Come once and you will be greeted by name the next time.",
            costs=(3,),
            days=("SA",),
            slots=("morning",),
            kinds=(WEEKLY, FORTNIGHTLY, MONTHLY),
        ),
        Idea(
            "Free community meal",
            "A free hot meal for anyone who comes, no questions asked. Vegetarian options every week.",
            size=LARGE,
            slots=("lunch", "evening"),
        ),
        Idea(
            "Warm space with soup",
            "A warm room with hot drinks, soup, newspapers, games and company.",
            kinds=(WEEKLY, TWICE_WEEKLY, TWO_SESSIONS),
        ),
    ),
    "befriending": (
        Idea(
            "Telephone befriending",
            "A friendly volunteer rings you for a chat at the same time each week.",
            size=ONE,
            booking=BOOK,
            ages=(60, None),
            mode="phone",
            kinds=(BY_ARRANGEMENT,),
        ),
        Idea(
            "Home visit befriending",
            "A volunteer visits you at home for an hour or so each week: a chat, a cup of tea, maybe a "
            "trip out.",
            size=ONE,
            booking=BOOK,
            mode="home",
            kinds=(BY_ARRANGEMENT,),
        ),
        Idea(
            "Friendship café",
            "A relaxed café for anyone feeling lonely. Volunteers make sure nobody sits on their own.",
        ),
        Idea(
            "Coffee and company",
            "A coffee morning for older neighbours, with a lift home for those who need one.",
            ages=(60, None),
            slots=("morning",),
        ),
        Idea(
            "Community buddies",
            "A volunteer buddy goes with you to a group or activity for the first few times, until you "
            "feel settled.",
            size=ONE,
            booking=BOOK,
            mode="home",
            kinds=(BY_ARRANGEMENT,),
        ),
    ),
    "faith": (
        Idea(
            "Open church coffee morning",
            "The church is open for coffee, cake and conversation. Everyone is welcome, whatever they "
            "believe.",
            slots=("morning",),
        ),
        Idea(
            "Women's circle",
            "A friendly group for women: tea, talks, crafts and trips out.",
            ages=(18, None),
        ),
        Idea(
            "Meditation group",
            "Silent and guided meditation, open to people of all faiths and none. Chairs and cushions "
            "provided.",
            size=SMALL,
            slots=("morning", "evening"),
        ),
        Idea(
            "Langar community meal",
            "A free vegetarian meal served to anyone who comes. Cover your head (scarves provided) and "
            "take off your shoes.",
            size=LARGE,
            days=("SU",),
            slots=("lunch",),
            kinds=(WEEKLY,),
        ),
        Idea(
            "Bereavement café",
            "A gentle space in the church hall to talk, or just sit with others who understand.",
            size=SMALL,
            shared="People who have lost someone close",
            kinds=(MONTHLY, FORTNIGHTLY),
        ),
        Idea(
            "Quiet day",
            "A day of quiet reflection in the garden and chapel, with simple lunch provided.",
            size=SMALL,
            booking=BOOK,
            kinds=(ONE_OFF,),
            days=("SA",),
            slots=("morning",),
        ),
    ),
    "learning": (
        Idea(
            "English conversation club",
            "Practise speaking English over tea in a relaxed group. All levels welcome.",
            kinds=(*REGULAR,),
        ),
        Idea(
            "Local history group",
            "Talks, old photos and memories of {area}. Members research and share what they find.",
            costs=(2,),
            kinds=(MONTHLY, FORTNIGHTLY),
            slots=("afternoon", "evening"),
        ),
        Idea(
            "Book club",
            "We read one book a month and meet to talk about it. Copies to borrow from the library.",
            size=SMALL,
            kinds=(MONTHLY,),
            slots=("afternoon", "evening"),
        ),
        Idea(
            "Beginners' Spanish",
            "Learn enough Spanish to get by on holiday, in a friendly, patient class.",
            size=SMALL,
            costs=(4, 5),
            booking=BOOK,
            kinds=(COURSE, TERM_TIME),
            slots=("evening", "morning"),
        ),
        Idea(
            "Adult learning taster",
            "Short courses to try something new: first aid, budgeting, photography, family history.",
            activity=G,
            size=SMALL,
            booking=BOOK,
            kinds=(COURSE, ONE_OFF, TERM_TIME),
        ),
        Idea(
            "Talks and tea",
            "A talk from a local speaker on anything from bees to the Blitz, then tea and questions.",
            costs=(2,),
            kinds=(MONTHLY, FORTNIGHTLY),
            slots=("afternoon",),
        ),
    ),
    "digital": (
        Idea(
            "Digital drop-in",
            "Bring your phone, tablet or laptop and get help with whatever you are stuck on: video "
            "calls, online shopping, the NHS App.",
            size=ONE,
        ),
        Idea(
            "Tablet lending and lessons",
            "Borrow a tablet for six weeks and learn the basics in a small, patient group.",
            size=SMALL,
            booking=BOOK,
            kinds=(COURSE,),
        ),
        Idea(
            "Staying safe online",
            "Spot scams, make strong passwords and shop safely. Bring your own device if you have one.",
            size=MEDIUM,
            booking=BOOK,
            kinds=(ONE_OFF, MONTHLY),
        ),
        Idea(
            "Computer club",
            "A friendly club for people who want to get better with computers, at their own pace.",
            size=SMALL,
            costs=(0, 1),
        ),
        Idea(
            "Video call confidence",
            "Learn to join video calls from home, with a tutor on the phone to help you through it.",
            size=SMALL,
            booking=BOOK,
            mode="online",
            kinds=(WEEKLY, FORTNIGHTLY, COURSE),
        ),
    ),
    "volunteering": (
        Idea(
            "Park volunteer day",
            "Help look after the park: planting bulbs, clearing paths and picking litter. Tools and "
            "gloves provided.",
            activity=A,
            kinds=(MONTHLY, FORTNIGHTLY),
            days=("SA", "SU", "WE"),
            slots=("morning",),
        ),
        Idea(
            "Food bank volunteering",
            "Sort donations, pack food parcels and welcome visitors. Shifts of two or three hours.",
            activity=A,
            booking=BOOK,
            ages=(16, None),
        ),
        Idea(
            "Charity shop volunteering",
            "Sort stock, price items and serve customers. Flexible shifts, with training on the day.",
            activity=G,
            size=SMALL,
            booking=BOOK,
        ),
        Idea(
            "Community litter pick",
            "Litter pickers, bags and hi-vis provided. Finish with tea and biscuits.",
            activity=A,
            kinds=(ONE_OFF, MONTHLY),
            days=("SA", "SU"),
            slots=("morning",),
        ),
        Idea(
            "Volunteer drivers",
            "Drive neighbours to appointments and groups in your own car. Mileage paid.",
            size=ONE,
            booking=BOOK,
            ages=(21, None),
            mode="home",
            kinds=(BY_ARRANGEMENT,),
        ),
    ),
    "peer": (
        Idea(
            "Mental health peer support group",
            "A small, confidential group to share what helps, run by people who have been there too.",
            size=SMALL,
            shared="People living with mental ill health",
            slots=("afternoon", "evening"),
        ),
        Idea(
            "Hearing loss support group",
            "Tips, equipment to try and good company. The room has a hearing loop.",
            size=SMALL,
            shared="People with hearing loss",
            kinds=(MONTHLY, FORTNIGHTLY),
        ),
        Idea(
            "Stroke club",
            "A social club for people who have had a stroke and their families: games, talks and outings.",
            shared="People who have had a stroke, and their families",
        ),
        Idea(
            "Living with pain group",
            "Share ways of coping with long-term pain, with gentle movement and a cuppa.",
            size=SMALL,
            shared="People living with long-term pain",
            kinds=(FORTNIGHTLY, MONTHLY, WEEKLY),
        ),
        Idea(
            "New parents' group",
            "Meet other new parents, with toys for the little ones and a health visitor some weeks.",
            shared="Parents of babies under one",
            slots=("morning",),
        ),
        Idea(
            "Men's talking group",
            "Men talking about life, over a brew. No advice unless you ask for it.",
            size=SMALL,
            shared="Men who want to talk",
            slots=("evening",),
        ),
        Idea(
            "LGBTQ+ over-50s social",
            "A social group for lesbian, gay, bisexual and trans people over 50: chat, trips and meals.",
            shared="LGBTQ+ people over 50",
            ages=(50, None),
            kinds=(MONTHLY, FORTNIGHTLY),
        ),
        Idea(
            "Online peer support",
            "A peer support group on video call, for people who cannot or would rather not travel.",
            size=SMALL,
            shared="People living with a long-term health condition",
            mode="online",
            slots=("evening", "afternoon"),
        ),
    ),
    "carers": (
        Idea(
            "Carers' coffee morning",
            "Time out for unpaid carers, with people who understand. Information on hand if you want it.",
            shared="Unpaid carers",
            slots=("morning",),
        ),
        Idea(
            "Young adult carers' group",
            "Activities, trips and a break for young people who care for someone at home.",
            size=SMALL,
            shared="Young adult carers",
            ages=(16, 25),
            slots=("evening",),
        ),
        Idea(
            "Carers' advice session",
            "One-to-one help with carer's assessments, benefits and breaks. Book a half-hour slot.",
            size=ONE,
            booking=BOOK,
            shared="Unpaid carers",
            kinds=(WEEKLY, FORTNIGHTLY, MONTHLY, BY_ARRANGEMENT),
        ),
        Idea(
            "Dementia carers' group",
            "Support and practical tips for people caring for someone with dementia.",
            size=SMALL,
            shared="People caring for someone with dementia",
            kinds=(MONTHLY, FORTNIGHTLY),
        ),
        Idea(
            "Carers' pamper day",
            "A relaxing day for carers: hand massage, lunch and a chance to sit down for once.",
            booking=BOOK,
            shared="Unpaid carers",
            kinds=(ONE_OFF,),
        ),
        Idea(
            "Online carers' chat",
            "An evening video call for carers who cannot get out, to talk and share tips.",
            size=SMALL,
            shared="Unpaid carers",
            mode="online",
            slots=("evening",),
        ),
    ),
    "advice": (
        Idea(
            "Benefits and money advice drop-in",
            "Free, confidential help with benefits, debts and bills. Bring any letters you have.",
            size=ONE,
        ),
        Idea(
            "Housing advice surgery",
            "Help with repairs, rent arrears, tenancy problems and finding somewhere to live.",
            size=ONE,
            booking=BOOK,
        ),
        Idea(
            "Debt advice line",
            "Free, confidential debt advice by phone from trained advisers.",
            size=ONE,
            booking=BOOK,
            mode="phone",
            kinds=(BY_ARRANGEMENT,),
        ),
        Idea(
            "Help with forms",
            "Volunteers help you fill in forms, write letters and make phone calls.",
            size=ONE,
            kinds=(WEEKLY, TWICE_WEEKLY, TWO_SESSIONS),
        ),
        Idea(
            "Food bank",
            "Three days of food for people in crisis, with a friendly chat and advice on hand.",
            size=ONE,
            kinds=(WEEKLY, TWICE_WEEKLY, TWO_SESSIONS),
        ),
        Idea(
            "Energy advice day",
            "Help to cut energy bills, switch tariffs and apply for grants. Bring a recent bill.",
            size=ONE,
            kinds=(ONE_OFF, MONTHLY),
        ),
    ),
    "sheds": (
        Idea(
            "Men's shed",
            "A workshop where people make, mend and chat: woodwork, bike repairs and small jobs for the "
            "community. Mostly men, and everyone is welcome.",
            activity=G,
            size=SMALL,
            costs=(0, 2),
            kinds=(WEEKLY, TWICE_WEEKLY, TWO_SESSIONS, CLOSED_AUGUST),
        ),
        Idea(
            "Repair café",
            "Bring broken things (toasters, lamps, clothes, bikes) and fix them with our volunteers.",
            size=LARGE,
            kinds=(MONTHLY, ONE_OFF),
            days=("SA",),
            slots=("morning", "afternoon"),
        ),
        Idea(
            "Woodwork for beginners",
            "Make a bird box, a stool and a chopping board, and learn to use the tools safely.",
            activity=G,
            size=SMALL,
            costs=(5,),
            booking=BOOK,
            kinds=(COURSE, WEEKLY),
        ),
        Idea(
            "Bike workshop",
            "Learn to fix your bike, or help refurbish donated bikes for people who need one.",
            activity=G,
            size=SMALL,
            slots=("evening", "afternoon"),
        ),
        Idea(
            "Model railway club",
            "Build and run the club layout, or just come and watch the trains go round.",
            size=SMALL,
            costs=(1, 2),
        ),
    ),
}

# Where an idea usually happens, when that is narrower than its category's usual venues.
IDEA_VENUES: dict[str, tuple[str, ...]] = {
    "Open church coffee morning": ("church_hall",),
    "Bereavement café": ("church_hall",),
    "Langar community meal": ("gurdwara",),
    "Women's circle": ("mosque", "community_centre"),
    "Quiet day": ("church_hall", "meeting_house"),
    "Women's swim": ("leisure",),
    "Table tennis drop-in": ("leisure", "community_centre"),
    "Food bank": ("church_hall", "community_centre"),
    "Charity shop volunteering": ("community_centre",),
    "New parents' group": ("health", "community_centre", "library"),
    "Stroke club": ("health", "community_centre"),
}

# --- Places -----------------------------------------------------------------------------------

# The demo people live in LS3 to LS8; each neighbourhood sits in one postcode sector.
NEIGHBOURHOODS: tuple[tuple[str, str], ...] = (
    ("Little Woodhouse", "LS3 1"),
    ("Burley", "LS3 2"),
    ("Burley Park", "LS4 2"),
    ("Kirkstall", "LS5 3"),
    ("Hawksworth", "LS5 2"),
    ("Hyde Park", "LS6 1"),
    ("Woodhouse", "LS6 2"),
    ("Headingley", "LS6 3"),
    ("Meanwood", "LS6 4"),
    ("Sheepscar", "LS7 1"),
    ("Potternewton", "LS7 2"),
    ("Chapeltown", "LS7 3"),
    ("Chapel Allerton", "LS7 4"),
    ("Roundhay", "LS8 1"),
    ("Oakwood", "LS8 2"),
    ("Gipton", "LS8 3"),
    ("Harehills", "LS8 4"),
)
BOROUGH = "Leeds"  # the council holding LS3 to LS8 in the postcode data; "local_authority" areas use it
WORDS = (
    "Alder",
    "Beck",
    "Cragside",
    "Denby",
    "Elmfield",
    "Fernbank",
    "Glenthorpe",
    "Hollin",
    "Ivydene",
    "Juniper",
    "Kestrel",
    "Larchfield",
    "Moorfield",
    "Nettleton",
    "Oakridge",
    "Pennine",
    "Quarry Bank",
    "Rowan",
    "Sycamore",
    "Thornfield",
    "Unwin",
    "Valley",
    "Willow",
    "Yarrow",
)
STREET_ENDINGS = ("Street", "Road", "Lane", "Avenue", "Grove", "Terrace", "Place", "Mount", "Rise", "Walk")
SAINTS = ("Aidan", "Barnabas", "Chad", "Columba", "Hilda", "Cuthbert", "Bede", "Oswald", "Wilfrid", "Alban")
CAFES = ("Kettle", "Teapot", "Corner", "Hearth", "Bluebell", "Lantern", "Bramble")
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


@dataclass(frozen=True)
class VenueKind:
    names: tuple[str, ...]
    description: str
    # Chance that the venue has: step-free access, accessible toilet, hearing loop, parking, a bus nearby.
    chances: tuple[float, float, float, float, float]


VENUE_KINDS: dict[str, VenueKind] = {
    "community_centre": VenueKind(
        ("{area} Community Centre", "{street} Community Hub"),
        "A community centre with a main hall, meeting rooms and a kitchen.",
        (0.85, 0.75, 0.5, 0.5, 0.85),
    ),
    "library": VenueKind(
        ("{area} Community Library",),
        "The local library, with a community room at the back.",
        (0.9, 0.7, 0.7, 0.2, 0.9),
    ),
    "church_hall": VenueKind(
        ("St {saint}'s Church Hall", "{word} Methodist Church"),
        "A church hall next to the church, with a small kitchen.",
        (0.55, 0.5, 0.6, 0.4, 0.75),
    ),
    "park": VenueKind(
        ("{word} Park",),
        "A public park with a café and toilets near the main gates.",
        (0.8, 0.4, 0.0, 0.7, 0.7),
    ),
    "leisure": VenueKind(
        ("{area} Leisure Centre",),
        "A council leisure centre with a pool, sports hall and studio.",
        (0.95, 0.9, 0.4, 0.9, 0.8),
    ),
    "allotment": VenueKind(
        ("{street} Allotments",),
        "Allotments with a shared shed, a polytunnel and a compost toilet.",
        (0.4, 0.1, 0.0, 0.5, 0.5),
    ),
    "health": VenueKind(
        ("{area} Health Centre",),
        "A health centre; groups meet in the community room on the ground floor.",
        (0.95, 0.95, 0.8, 0.6, 0.9),
    ),
    "school": VenueKind(
        ("{word} Primary School",),
        "A primary school hall, used by community groups after school and at weekends.",
        (0.8, 0.6, 0.3, 0.6, 0.7),
    ),
    "cafe": VenueKind(
        ("The {cafe} Café",),
        "A small independent café that hosts community groups in its back room.",
        (0.6, 0.3, 0.1, 0.2, 0.9),
    ),
    "mosque": VenueKind(
        ("{area} Islamic Centre",),
        "A mosque and community centre with a hall and classrooms.",
        (0.7, 0.6, 0.3, 0.5, 0.8),
    ),
    "gurdwara": VenueKind(
        ("{area} Gurdwara",),
        "A Sikh gurdwara with a langar hall that welcomes everyone.",
        (0.75, 0.7, 0.3, 0.6, 0.8),
    ),
    "meeting_house": VenueKind(
        ("{word} Friends Meeting House",),
        "A Quaker meeting house with a quiet garden and rooms for hire.",
        (0.7, 0.6, 0.6, 0.3, 0.7),
    ),
    "club": VenueKind(
        ("{area} Social Club",),
        "A members' social club with a function room that community groups use for free.",
        (0.5, 0.4, 0.2, 0.7, 0.7),
    ),
}

CATEGORY_VENUES: dict[str, tuple[str, ...]] = {
    "arts": ("community_centre", "library", "church_hall", "cafe"),
    "music": ("church_hall", "community_centre", "school", "club"),
    "walking": ("park",),
    "physical": ("leisure", "community_centre", "church_hall", "park"),
    "gardening": ("allotment", "park", "community_centre"),
    "lunch": ("church_hall", "community_centre", "cafe", "mosque", "gurdwara"),
    "befriending": ("community_centre", "cafe", "library", "church_hall"),
    "faith": ("church_hall", "mosque", "gurdwara", "meeting_house"),
    "learning": ("library", "community_centre", "school"),
    "digital": ("library", "community_centre"),
    "volunteering": ("community_centre", "park", "allotment", "church_hall"),
    "peer": ("health", "community_centre", "library", "cafe", "meeting_house"),
    "carers": ("community_centre", "health", "cafe", "library"),
    "advice": ("library", "community_centre", "health", "mosque", "church_hall"),
    "sheds": ("community_centre", "club", "allotment"),
}

# --- Providers --------------------------------------------------------------------------------

PREFIXES = (
    "Beckside",
    "Aire Valley",
    "Open Door",
    "Brightside",
    "Kindred",
    "Greenway",
    "Moorside",
    "Northern Lights",
    "Silver Threads",
    "Willowbrook",
    "Cornerstone",
    "Lantern",
    "Harbour",
    "Springwell",
    "Meadowbank",
    "Oak Tree",
    "Bridgeway",
    "Heartwood",
    "Cedar",
    "Foxglove",
    "Millstream",
    "Kingfisher",
    "Bramble",
    "Hawthorn",
    "Sunflower",
    "Fairweather",
    "Tandem",
    "Wayfarers",
    "Good Company",
    "Hearthside",
)
CHARITY_THEMES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Befriending", ("befriending", "lunch")),
    ("Carers Network", ("carers", "peer", "advice")),
    ("Arts Trust", ("arts", "music")),
    ("Growers", ("gardening", "volunteering")),
    ("Advice Centre", ("advice", "digital")),
    ("Older People's Trust", ("lunch", "befriending", "physical")),
    ("Wellbeing", ("peer", "arts", "walking")),
    ("Community Association", ("arts", "lunch", "learning", "digital", "physical")),
    ("Neighbourhood Network", ("befriending", "lunch", "walking", "physical", "digital")),
    ("Mental Health Charity", ("peer", "gardening", "arts")),
    ("Sports Foundation", ("physical", "walking")),
    ("Learning Trust", ("learning", "digital")),
    ("Men's Project", ("sheds", "peer")),
    ("Music Project", ("music", "arts")),
    ("Volunteer Bureau", ("volunteering", "befriending")),
)
GROUP_NOUNS: dict[str, tuple[str, ...]] = {
    "arts": ("Craft Circle", "Art Club", "Knitting Circle", "Stitchers"),
    "music": ("Community Choir", "Ukulele Club", "Singers", "Folk Club"),
    "walking": ("Walkers", "Rambling Club", "Walking Group"),
    "physical": ("Walking Football Club", "Tai Chi Group", "Table Tennis Club", "Movers"),
    "gardening": ("Allotment Society", "Community Garden", "Gardening Club", "Conservation Volunteers"),
    "lunch": ("Lunch Club", "Community Kitchen", "Supper Club"),
    "befriending": ("Good Neighbours", "Friendship Group"),
    "faith": ("Meditation Group", "Interfaith Forum"),
    "learning": ("Local History Society", "Book Group", "Language Café"),
    "digital": ("Tech Buddies", "Computer Club"),
    "volunteering": ("Litter Pickers", "Park Friends", "Volunteers"),
    "peer": ("Peer Support Group", "Stroke Club", "Hearing Support Group"),
    "carers": ("Carers Group", "Carers Café"),
    "advice": ("Advice Drop-in", "Welfare Rights Group"),
    "sheds": ("Men's Shed", "Repair Café", "Bike Project"),
}
FAITH_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("St {saint}'s Church, {area}", ("faith", "lunch", "befriending", "music")),
    ("{area} Methodist Church", ("faith", "lunch", "music", "arts")),
    ("{area} Islamic Cultural Centre", ("faith", "lunch", "learning", "advice")),
    ("{area} Gurdwara Committee", ("faith", "lunch", "volunteering")),
    ("{area} Quaker Meeting", ("faith", "peer", "volunteering")),
    ("{area} Baptist Church", ("faith", "lunch", "befriending", "sheds")),
    ("{area} Hindu Cultural Society", ("faith", "lunch", "music")),
)
COUNCIL = "Riverside Borough Council"
COUNCIL_SERVICES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Riverside Libraries", ("learning", "digital", "arts", "advice")),
    ("Riverside Parks and Countryside", ("walking", "gardening", "volunteering")),
    ("Riverside Adult Learning", ("learning", "digital", "arts")),
    ("Riverside Active Lifestyles", ("physical", "walking")),
    ("Riverside Welfare Rights", ("advice", "carers")),
)
NHS_SERVICES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Riverside Community Health NHS Trust", ("walking", "physical", "peer", "carers")),
    ("Aire Valley Mental Health NHS Trust", ("peer", "arts", "gardening")),
)
ENTERPRISE_FOCUS = ("arts", "music", "physical", "gardening", "lunch", "sheds", "digital")
LEGAL_STATUS = {
    "community": "Unincorporated community group",
    "charity": "Registered charity",
    "faith": "Place of worship (registered charity)",
    "council": "Local authority",
    "nhs": "NHS trust",
    "enterprise": "Community interest company",
}
FUNDERS = (
    "Riverside Community Chest",
    "Riverside Borough Council Ageing Well fund",
    "Aire Valley Community Foundation",
    "Members' subscriptions and donations",
    "Riverside Health and Wellbeing Partnership",
)

# --- People and words -------------------------------------------------------------------------

CONTACT_FIRST = (
    "Anne",
    "Barbara",
    "Chris",
    "Dorothy",
    "Eddie",
    "Fiona",
    "Gurpreet",
    "Hannah",
    "Imran",
    "Janet",
    "Krystyna",
    "Lorraine",
    "Mohammed",
    "Nasra",
    "Paul",
    "Rosa",
    "Shirin",
    "Trevor",
    "Winston",
    "Yvonne",
)
CONTACT_LAST = (
    "Akhtar",
    "Barker",
    "Cooper",
    "Dunn",
    "Egan",
    "Firth",
    "Haigh",
    "Kaur",
    "Lister",
    "Mahmood",
    "Nwosu",
    "Pickles",
    "Rashid",
    "Sutcliffe",
    "Warsame",
    "Zielinska",
)
CONTACT_TITLES = (
    "Group organiser",
    "Volunteer coordinator",
    "Session leader",
    "Community worker",
    "Chair",
    "Project officer",
)
LANGUAGES: tuple[tuple[str, str], ...] = (
    ("Arabic", "ar"),
    ("Polish", "pl"),
    ("Somali", "so"),
    ("Portuguese", "pt"),
    ("Bengali", "bn"),
    ("Urdu", "ur"),
    ("Punjabi", "pa"),
    ("Kurdish", "ku"),
)
FIRST_VISITS = (
    "Someone at the door will say hello and show you where the tea is.",
    "Ask for {contact} when you arrive; they look after newcomers and will introduce you to a few people.",
    "Just turn up. Tell whoever is running it that you are new and they will pair you with a regular.",
    "Come ten minutes early for a quick chat with the organiser about what to expect.",
    "You can sit and watch the first time without joining in. Nobody minds.",
    "Give {contact} a ring before your first visit and they will look out for you.",
    "There is a welcome table by the entrance with name badges and a volunteer to chat to.",
    "Your first session is a free taster. Wear comfortable clothes and bring a bottle of water.",
    "Bring a friend or supporter if you like; they come free and can stay as long as you want.",
)
FIRST_VISITS_BY_MODE = {
    "phone": "A coordinator rings you first to get to know you, then matches you with a volunteer.",
    "home": "A coordinator visits you first to get to know you, then introduces your volunteer.",
    "online": "You will get a link the day before; a volunteer can ring to help you join the first time.",
}
FIRST_VISIT_WALKING = (
    "Meet at the main gates of {venue}. The walk leader will introduce themselves, and a back marker walks "
    "with anyone who wants to go slowly."
)
EXTRA_SENTENCES = (
    "New faces are always welcome.",
    "Tea, coffee and biscuits included.",
    "Many people come on their own.",
    "No experience needed.",
    "Friends, family and carers are welcome to come along too.",
    "Free parking nearby.",
)
VERIFICATION_NOTES: dict[str, tuple[str, ...]] = {
    VerificationMethod.PHONE: (
        "Spoke to the organiser: times and venue unchanged.",
        "Phoned the group; updated the price.",
        "Rang the number listed; all details confirmed.",
    ),
    VerificationMethod.VISIT: ("Visited a session; updated the description.", "Dropped in; still running."),
    VerificationMethod.EMAIL: (
        "The organiser confirmed the details by e-mail.",
        "E-mail reply: new contact name added.",
    ),
    VerificationMethod.PROVIDER_CONFIRMED: ("The provider confirmed the entry.",),
}
PROBLEM_DETAILS: dict[str, tuple[str, ...]] = {
    ProblemKind.UNCLEAR: (
        "It does not say whether you need to book or can just turn up.",
        "The times here say 10 to 12 but the poster at the library says 10:30.",
    ),
    ProblemKind.CONTACT_WRONG: (
        "The phone number rings out; I think it has changed.",
        "E-mails to this address bounce back.",
    ),
    ProblemKind.CLOSED: (
        "I went last week and the hall was locked. A neighbour said the group stopped meeting in the spring.",
    ),
    ProblemKind.WRONG_AREA: ("This is listed in the wrong neighbourhood: it meets across the road now.",),
    ProblemKind.OTHER: (
        "The entrance is round the back and there are two steps, so it is not really step-free.",
        "The price has gone up to £3 a session.",
    ),
}
REPORTERS = (
    ("", ""),
    ("Sam Okafor", "sam.okafor@example.com"),
    ("Margaret", ""),
    ("A. Hussain", "a.hussain@example.com"),
    ("", "walker.family@example.com"),
)


@dataclass(frozen=True)
class Suggestion:
    name: str
    organization: str
    description: str
    when: str
    where: str
    submitted_by: str
    email: str
    reason: str = ""  # why an editor rejected it, for rejected suggestions


SUGGESTIONS: tuple[Suggestion, ...] = (
    Suggestion(
        "Tuesday crafternoon",
        "Hollin Lane Crafters",
        "A friendly group who meet to do crafts and have a natter. New members very welcome, especially "
        "if you are on your own.",
        "Tuesdays 1pm to 3pm",
        "Back room of the Hollin Lane Community Hub",
        "Brenda Whitaker",
        "brenda.whitaker@example.com",
    ),
    Suggestion(
        "Dads and lads football",
        "Oakridge Dads",
        "Kickabout for dads and their kids on Sunday mornings, then bacon sandwiches.",
        "Sundays 10am",
        "Oakridge Park, by the bandstand",
        "Dean Hirst",
        "dean.hirst@example.com",
    ),
    Suggestion(
        "Polish women's coffee club",
        "Kestrel Polish Community Group",
        "Coffee, cake and conversation in Polish and English for women new to the area.",
        "Every other Saturday 11am",
        "The Kettle Café",
        "Agnieszka Nowicka",
        "agnieszka.nowicka@example.com",
    ),
    Suggestion(
        "Bowls for beginners",
        "Moorfield Bowling Club",
        "Free coaching for beginners through the summer. Flat shoes needed; woods to borrow.",
        "Wednesday evenings from May to September",
        "Moorfield Park bowling green",
        "Geoff Illingworth",
        "secretary@moorfield-bowls.example.org",
    ),
    Suggestion(
        "Somali elders' lunch",
        "Harehills Somali Elders Association",
        "A hot lunch and company for Somali elders, with help reading letters and forms.",
        "Thursdays 12 to 2",
        "Harehills Community Centre",
        "Hodan Abdi",
        "hodan.abdi@example.com",
    ),
    Suggestion(
        "Sunday board games",
        "Pennine Games Club",
        "Board games for adults, from quick card games to long strategy games. Games provided.",
        "First and third Sunday of the month, 2pm to 6pm",
        "The Corner Café",
        "Tom Ashworth",
        "tom.ashworth@example.com",
    ),
    Suggestion(
        "Widowers' walk",
        "Beck Valley Walkers",
        "A gentle monthly walk for men who have lost their partner. Chat if you want to, or just walk.",
        "Last Saturday of the month, 10am",
        "Meet at Kirkstall bus station",
        "Keith Ramsden",
        "keith.ramsden@example.com",
    ),
    Suggestion(
        "Crochet for charity",
        "Yarrow Grove Crochet Club",
        "We make blankets and hats for the hospital baby unit. All abilities; wool provided.",
        "Mondays 7pm to 9pm",
        "St Hilda's Church Hall",
        "Linda Farrar",
        "linda.farrar@example.com",
    ),
)
REJECTED_SUGGESTIONS: tuple[Suggestion, ...] = (
    Suggestion(
        "Premium personal training",
        "Elite Body Studio",
        "One-to-one personal training packages from £45 a session. First consultation free.",
        "By appointment",
        "Unit 4, Kirkstall Road",
        "Elite Body Studio",
        "bookings@elite-body.example.com",
        reason="A commercial personal training business, not a community activity.",
    ),
    Suggestion(
        "Headingley choir",
        "Headingley Community Choir",
        "Come and sing with us! No auditions.",
        "Wednesdays 7pm",
        "Headingley Community Centre",
        "Maureen Ackroyd",
        "maureen.ackroyd@example.com",
        reason="Already in the directory under another name; her details were added to that entry.",
    ),
    Suggestion(
        "Stop smoking tablets",
        "Smokefree Direct",
        "Buy our herbal tablets and quit in a week.",
        "Online shop",
        "Online",
        "Smokefree Direct",
        "sales@smokefree-direct.example.com",
        reason="Selling a product, not a service; no local sessions.",
    ),
)
CLAIMANT_ROLES = ("Group organiser", "Volunteer coordinator", "Chair of trustees", "Secretary")
CLAIM_EVIDENCE = (
    "I am named as the organiser on our website and Facebook page.",
    "You can ring our office to check: I have run the group for six years.",
    "I am the secretary; our minutes list me as the contact for the directory.",
)

SLOTS: dict[str, tuple[tuple[int, int, int, int], ...]] = {
    "morning": ((10, 0, 12, 0), (9, 30, 11, 30), (10, 30, 12, 0), (10, 0, 11, 30)),
    "lunch": ((12, 0, 14, 0), (11, 30, 13, 30), (12, 0, 13, 30)),
    "afternoon": ((13, 30, 15, 30), (14, 0, 16, 0), (13, 0, 15, 0)),
    "evening": ((18, 30, 20, 30), (19, 0, 21, 0), (18, 0, 19, 30)),
}
DAY_NAMES = {
    "MO": "Monday",
    "TU": "Tuesday",
    "WE": "Wednesday",
    "TH": "Thursday",
    "FR": "Friday",
    "SA": "Saturday",
    "SU": "Sunday",
}
DAY_CODES = tuple(DAY_NAMES)
ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}
MONTHLY_PATTERNS = ((1,), (2,), (3,), (-1,), (2, 4), (1, 3))
COURSE_WEEKS = {6: "Six", 8: "Eight", 10: "Ten", 12: "Twelve"}
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
RELATED_CATEGORIES: dict[str, tuple[str, ...]] = {
    "arts": ("learning",),
    "music": ("arts",),
    "walking": ("physical",),
    "physical": ("walking",),
    "gardening": ("volunteering", "physical"),
    "lunch": ("befriending",),
    "befriending": ("lunch",),
    "faith": ("lunch", "befriending"),
    "learning": ("digital",),
    "digital": ("learning",),
    "volunteering": ("gardening",),
    "peer": ("befriending",),
    "carers": ("peer", "advice"),
    "advice": ("digital",),
    "sheds": ("volunteering", "learning"),
}
IDEA_DOCUMENTS = {
    "Food bank": "A food bank voucher from a referral agency (we can help you get one)",
    "Benefits and money advice drop-in": "Any letters about your benefits, debts or bills",
    "Housing advice surgery": "Your tenancy agreement, if you have it",
}

# --- Building ---------------------------------------------------------------------------------

DEMO_NAMESPACE = uuid.UUID("5d0b8a3e-6c1f-4e27-8b94-7f2e1a6c3d58")
VENUE_FACTS = ("step_free", "accessible_toilet", "hearing_loop", "parking", "near_public_transport")
SAVE_ORDER: tuple[type[models.Model], ...] = (
    Organization,
    Program,
    Location,
    Address,
    Accessibility,
    Service,
    ServiceAtLocation,
    Contact,
    Phone,
    Schedule,
    Closure,
    ServiceArea,
    Language,
    CostOption,
    Funding,
    RequiredDocument,
    Attribute,
    Metadata,
    Verification,
    ProblemReport,
    ListingClaim,
)


@dataclass
class DirectorySummary:
    """What was built, for the demo-data command's report."""

    services: int = 0
    states: dict[str, int] = field(default_factory=dict)
    organizations: int = 0
    locations: int = 0
    schedules: int = 0
    open_problem_reports: int = 0
    pending_claims: int = 0

    @property
    def line(self) -> str:
        if not self.services:
            return "no directory services"
        states = self.states
        return (
            f"{self.services} directory services from {self.organizations} providers at {self.locations} "
            f"places ({states.get(EntryState.PUBLISHED, 0)} published, "
            f"{states.get(EntryState.REVIEW_DUE, 0)} due for review, {states.get(EntryState.STALE, 0)} "
            f"stale), with {states.get(EntryState.SUBMITTED, 0)} suggestions, "
            f"{self.open_problem_reports} problem reports and {self.pending_claims} claims waiting"
        )


@dataclass
class _Provider:
    id: uuid.UUID
    name: str
    kind: str
    focus: tuple[str, ...]
    area: str
    parent_id: uuid.UUID | None = None
    program_id: uuid.UUID | None = None
    services: int = 0

    @property
    def domain(self) -> str:
        return f"{slugify(self.name)}.example.org"


@dataclass
class _Venue:
    location_id: uuid.UUID
    name: str
    kind: str
    area: str
    sector: str
    facts: dict[str, bool | None]

    @property
    def district(self) -> str:
        return self.sector.split()[0]


def _state_plan(size: int) -> list[str]:
    """The state of each entry: at least half published, every other state once the size allows."""
    if size <= 0:
        return []
    wanted = (
        (EntryState.SUBMITTED, min(6, max(1, size // 12))),
        (EntryState.REJECTED, 2 if size >= 40 else 1),
        (EntryState.REVIEW_DUE, max(1, round(size * 0.08))),
        (EntryState.STALE, max(1, round(size * 0.05))),
        (EntryState.ARCHIVED, max(1, round(size * 0.03))),
        (EntryState.DRAFT, max(1, round(size * 0.02))),
    )
    budget = size - (size + 1) // 2
    plan: list[str] = []
    for state, count in wanted:
        taken = min(count, budget)
        plan += [state] * taken
        budget -= taken
    return plan + [EntryState.PUBLISHED] * (size - len(plan))


def _kind_plan(count: int) -> list[str]:
    """The kind of schedule of each entry, in SCHEDULE_KINDS shares, each kind at least once."""
    plan = [kind for kind, share in SCHEDULE_KINDS for _ in range(max(1, round(share * count)))]
    while len(plan) > count and plan.count(WEEKLY) > 1:
        plan.remove(WEEKLY)
    plan = plan[:count]
    return plan + [WEEKLY] * (count - len(plan))


def school_holidays(today: dt.date) -> list[tuple[dt.date, dt.date, str]]:
    """English school holidays (typical dates) that have not ended and start within the coming year."""

    def monday(day: dt.date) -> dt.date:
        return day - dt.timedelta(days=day.weekday())

    week = dt.timedelta(days=4)
    found: list[tuple[dt.date, dt.date, str]] = []
    for year in (today.year - 1, today.year, today.year + 1):
        sunday = easter(year)
        february, may, october = (
            monday(dt.date(year, 2, 16)),
            monday(dt.date(year, 5, 31)),
            monday(dt.date(year, 10, 27)),
        )
        found += [
            (february, february + week, "February half term"),
            (sunday - dt.timedelta(days=6), sunday + dt.timedelta(days=5), "Easter holidays"),
            (may, may + week, "May half term"),
            (dt.date(year, 7, 22), dt.date(year, 9, 2), "Summer holidays"),
            (october, october + week, "October half term"),
            (dt.date(year, 12, 20), dt.date(year + 1, 1, 2), "Christmas holidays"),
        ]
    horizon = today + dt.timedelta(days=365)
    return [holiday for holiday in found if holiday[1] >= today and holiday[0] <= horizon]


def _clock(hour: int, minute: int) -> str:
    suffix = "am" if hour < 12 else "pm"
    hour = hour % 12 or 12
    return f"{hour}:{minute:02d}{suffix}" if minute else f"{hour}{suffix}"


def _long_date(day: dt.date) -> str:
    return f"{DAY_NAMES[DAY_CODES[day.weekday()]]} {day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def _on_or_after(day: dt.date, code: str) -> dt.date:
    return day + dt.timedelta(days=(DAY_CODES.index(code) - day.weekday()) % 7)


def _on_or_before(day: dt.date, code: str) -> dt.date:
    return day - dt.timedelta(days=(day.weekday() - DAY_CODES.index(code)) % 7)


def _and(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _lower_first(text: str) -> str:
    """ "Unpaid carers" -> "unpaid carers", but "LGBTQ+ people" stays as it is."""
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _jitter(
    rng: random.Random, latitude: float, longitude: float, metres: float = 400.0
) -> tuple[float, float]:
    """A point up to `metres` from the given one, spread evenly over the disc."""
    distance = metres * math.sqrt(rng.random())
    bearing = rng.uniform(0, 2 * math.pi)
    north = distance * math.cos(bearing) / 111_320
    east = distance * math.sin(bearing) / (111_320 * math.cos(math.radians(latitude)))
    return round(latitude + north, 6), round(longitude + east, 6)


class _DirectoryBuilder:
    """Collects the rows of the whole directory in memory, then saves them table by table."""

    def __init__(self, *, owner: Organisation, editors: Sequence[User], seed: int, today: dt.date) -> None:
        self.owner = owner
        self.editors = list(editors)
        self.seed = seed
        self.today = today
        self.rng = random.Random(f"linkwork demo directory {seed}")
        self.review_days: int = settings.LINKWORK_DIRECTORY_REVIEW_DAYS
        self.stale_days: int = settings.LINKWORK_DIRECTORY_STALE_AFTER_DAYS
        self.rows: dict[type[models.Model], list[models.Model]] = {model: [] for model in SAVE_ORDER}
        self.counters: dict[str, int] = {}
        self.providers: list[_Provider] = []
        self.provider_of: dict[uuid.UUID, _Provider] = {}  # service id -> provider
        self.venues: list[_Venue] = []
        self.venue_names: dict[str, _Venue] = {}
        self.venue_target = 0
        self.names: set[str] = set()
        self.numbers = {
            "landline": self.rng.sample(range(1000), 1000),
            "mobile": self.rng.sample(range(1000), 1000),
        }
        self.holidays = school_holidays(today)
        self.services: list[Service] = []
        self.council: _Provider | None = None

    # --- small helpers

    def _id(self, kind: str) -> uuid.UUID:
        self.counters[kind] = self.counters.get(kind, 0) + 1
        return uuid.uuid5(DEMO_NAMESPACE, f"{self.seed}:{kind}:{self.counters[kind]}")

    def _add(self, *rows: models.Model) -> None:
        for row in rows:
            self.rows[type(row)].append(row)

    def _at(self, day: dt.date, hour: int | None = None, minute: int | None = None) -> dt.datetime:
        hour = self.rng.randint(9, 16) if hour is None else hour
        minute = self.rng.choice((0, 10, 15, 20, 30, 40, 45, 50)) if minute is None else minute
        return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)

    def _days_ago(self, days: int) -> dt.date:
        return self.today - dt.timedelta(days=days)

    def _phone(self, kind: str = "landline") -> str:
        pool = self.numbers[kind]
        count = self.counters.get(f"phone-{kind}", 0)
        self.counters[f"phone-{kind}"] = count + 1
        number = pool[count % len(pool)]
        return f"0113 496 0{number:03d}" if kind == "landline" else f"07700 900{number:03d}"

    def _person(self) -> tuple[str, str]:
        return self.rng.choice(CONTACT_FIRST), self.rng.choice(CONTACT_LAST)

    def _editor(self) -> tuple[User | None, str, str]:
        if not self.editors:
            return None, RECORDED_BY, ""
        user = self.rng.choice(self.editors)
        return user, user.get_full_name() or user.username, user.email

    def _maybe(self, chance: float) -> bool:
        return self.rng.random() < chance

    def _tristate(self, yes: float, no: float) -> bool | None:
        """True with chance `yes`, False with chance `no`, otherwise unknown."""
        roll = self.rng.random()
        return True if roll < yes else False if roll < yes + no else None

    # --- the whole directory

    def build(self, size: int) -> None:
        rng = self.rng
        plan = _state_plan(size)
        entries = [state for state in plan if state not in (EntryState.SUBMITTED, EntryState.REJECTED)]
        rng.shuffle(entries)
        kinds = _kind_plan(len(entries))
        rng.shuffle(kinds)
        categories: list[str] = []
        while len(categories) < len(entries):
            batch = [category.code for category in CATEGORIES]
            rng.shuffle(batch)
            categories += batch
        self._providers(len(entries))
        self.venue_target = max(3, round(len(entries) * 0.23))
        for state, kind, category in zip(entries, kinds, categories, strict=False):
            self._service(state, kind, category)
        self._organizations()
        published = [service for service in self.services if service.state == EntryState.PUBLISHED]
        for service in rng.sample(published, min(2, len(published) // 40)):
            service.status = "temporarily closed"
            service.alert = "Closed until the end of next month while the hall is refurbished."
        for suggestion in rng.sample(SUGGESTIONS, plan.count(EntryState.SUBMITTED)):
            self._suggestion(suggestion)
        for suggestion in rng.sample(REJECTED_SUGGESTIONS, plan.count(EntryState.REJECTED)):
            self._suggestion(suggestion)
        if size:
            self._problem_reports(min(8, max(1, size // 10)))
            self._claims(min(3, max(1, size // 25)), approved=1 if size >= 40 else 0)

    def save(self) -> DirectorySummary:
        if not self.services:
            return DirectorySummary()
        self._taxonomy()
        for model in SAVE_ORDER:
            model._default_manager.bulk_create(self.rows[model], batch_size=500)
        states: dict[str, int] = {}
        for service in self.services:
            states[service.state] = states.get(service.state, 0) + 1
        summary = DirectorySummary(
            services=len(self.services),
            states=states,
            organizations=len(self.rows[Organization]),
            locations=len(self.rows[Location]),
            schedules=len(self.rows[Schedule]),
            open_problem_reports=sum(
                1 for report in self.rows[ProblemReport] if getattr(report, "status", "") == TaskStatus.OPEN
            ),
            pending_claims=sum(
                1 for claim in self.rows[ListingClaim] if getattr(claim, "status", "") == ClaimStatus.PENDING
            ),
        )
        audit_record(
            actor=OPERATOR,
            event="directory.demo_loaded",
            target=Service,
            detail={
                "source": SOURCE,
                "seed": self.seed,
                "services": summary.services,
                "organizations": summary.organizations,
                "locations": summary.locations,
            },
            organisation_id=self.owner.pk,
        )
        return summary

    def _taxonomy(self) -> None:
        """The activity categories; fixed ids, so a second build (another seed) shares them."""
        uri = "https://linkwork.invalid/taxonomies/activity-categories"
        Taxonomy.objects.bulk_create(
            [
                Taxonomy(
                    id=CATEGORY_TAXONOMY_ID,
                    name=CATEGORY_TAXONOMY_NAME,
                    description="Kinds of community activity that connectors help people find.",
                    uri=uri,
                    version="1",
                )
            ],
            ignore_conflicts=True,
        )
        TaxonomyTerm.objects.bulk_create(
            [
                TaxonomyTerm(
                    id=category.term_id,
                    code=category.code,
                    name=category.name,
                    description=category.description,
                    taxonomy=CATEGORY_TAXONOMY_NAME,
                    taxonomy_detail_id=CATEGORY_TAXONOMY_ID,
                    language="en",
                    term_uri=f"{uri}#{category.code}",
                )
                for category in CATEGORIES
            ],
            ignore_conflicts=True,
        )

    # --- providers

    def _unique(self, make: Callable[[], str], taken: set[str]) -> str | None:
        """A name from `make` that is not taken yet, or None after a few tries."""
        for _ in range(30):
            name = make()
            if name not in taken:
                taken.add(name)
                return name
        return None

    def _providers(self, entries: int) -> None:
        rng = self.rng
        taken: set[str] = set()
        target = max(3, round(entries * 0.38))

        def add(
            name: str | None,
            kind: str,
            focus: tuple[str, ...],
            parent_id: uuid.UUID | None = None,
            program_id: uuid.UUID | None = None,
        ) -> None:
            if name is not None:
                area = rng.choice(NEIGHBOURHOODS)[0]
                provider = _Provider(self._id("organization"), name, kind, focus, area, parent_id, program_id)
                self.providers.append(provider)

        if entries >= 40:
            council = _Provider(self._id("organization"), COUNCIL, "council", (), BOROUGH)
            self.council = council
            for name, focus in COUNCIL_SERVICES:
                add(name, "council", focus, parent_id=council.id, program_id=self._id("program"))
            for name, focus in NHS_SERVICES:
                add(name, "nhs", focus, program_id=self._id("program"))
        remaining = max(0, target - len(self.providers))
        faith, charities, enterprises = (
            round(remaining * 0.13),
            round(remaining * 0.38),
            round(remaining * 0.07),
        )
        for _ in range(faith):
            template, focus = rng.choice(FAITH_GROUPS)

            def faith_name(template: str = template) -> str:
                return template.format(saint=rng.choice(SAINTS), area=rng.choice(NEIGHBOURHOODS)[0])

            add(self._unique(faith_name, taken), "faith", focus)
        for _ in range(charities):
            theme, focus = rng.choice(CHARITY_THEMES)

            def charity_name(theme: str = theme) -> str:
                return f"{rng.choice(PREFIXES)} {theme}"

            add(self._unique(charity_name, taken), "charity", focus)
        for _ in range(enterprises):

            def enterprise_name() -> str:
                return f"{rng.choice(PREFIXES)} CIC"

            add(self._unique(enterprise_name, taken), "enterprise", tuple(rng.sample(ENTERPRISE_FOCUS, 2)))
        codes = [category.code for category in CATEGORIES]
        rng.shuffle(codes)
        for number in range(remaining - faith - charities - enterprises):
            code = codes[number % len(codes)]

            def group_name(code: str = code) -> str:
                return f"{rng.choice(NEIGHBOURHOODS)[0]} {rng.choice(GROUP_NOUNS[code])}"

            add(self._unique(group_name, taken), "community", (code,))

    def _pick_provider(self, category: str) -> _Provider:
        candidates = [provider for provider in self.providers if category in provider.focus] or self.providers
        if self._maybe(0.7):
            fewest = min(provider.services for provider in candidates)
            candidates = [provider for provider in candidates if provider.services == fewest]
        provider = self.rng.choice(candidates)
        provider.services += 1
        return provider

    def _provider_description(self, provider: _Provider) -> str:
        doing = _and([CATEGORY_BY_CODE[code].name.lower() for code in provider.focus[:3]])
        return {
            "community": f"A volunteer-run group in {provider.area}, open to anyone who wants to join in.",
            "charity": f"A local charity based in {provider.area}, offering {doing}.",
            "faith": f"A faith community in {provider.area}; its groups welcome people of any faith or none.",
            "council": f"Part of {COUNCIL}, running {doing} across the borough.",
            "nhs": f"NHS community services, including {doing}, for people registered with local GPs.",
            "enterprise": f"A community interest company in {provider.area} running {doing} sessions.",
        }[provider.kind]

    def _organizations(self) -> None:
        """Organisation rows for the providers that run something (and the council above its services)."""
        rng = self.rng
        used = [provider for provider in self.providers if provider.services]
        if self.council is not None and any(provider.parent_id == self.council.id for provider in used):
            council = self.council
            self._add(
                Organization(
                    id=council.id,
                    name=council.name,
                    description="The local council for the demo borough of Riverside.",
                    email=f"enquiries@{council.domain}",
                    website=f"https://{council.domain}",
                    legal_status=LEGAL_STATUS["council"],
                    owner=self.owner,
                ),
                Phone(id=self._id("phone"), organization_id=council.id, number=self._phone(), type="voice"),
            )
        for provider in used:
            self._add(
                Organization(
                    id=provider.id,
                    name=provider.name,
                    description=self._provider_description(provider),
                    email=f"hello@{provider.domain}",
                    website=f"https://{provider.domain}"
                    if provider.kind != "community" or self._maybe(0.5)
                    else "",
                    legal_status=LEGAL_STATUS[provider.kind],
                    year_incorporated=(
                        float(rng.randint(1950, 2022)) if provider.kind in ("charity", "enterprise") else None
                    ),
                    parent_organization_id=provider.parent_id,
                    owner=self.owner,
                )
            )
            if self._maybe(0.75):
                kind = "mobile" if provider.kind == "community" else "landline"
                number = self._phone(kind)
                phone_type = "cell" if kind == "mobile" else "voice"
                self._add(
                    Phone(id=self._id("phone"), organization_id=provider.id, number=number, type=phone_type)
                )
            if provider.program_id is not None:
                self._add(
                    Program(
                        id=provider.program_id,
                        organization_id=provider.id,
                        name=f"{provider.name} community wellbeing programme",
                        description="Groups and activities that help people stay well and connected.",
                    )
                )

    # --- places

    def _pick_venue(self, category: str, idea: Idea) -> _Venue:
        kind = self.rng.choice(IDEA_VENUES.get(idea.name) or CATEGORY_VENUES[category])
        existing = [venue for venue in self.venues if venue.kind == kind]
        if existing and (len(self.venues) >= self.venue_target or self._maybe(0.6)):
            return self.rng.choice(existing)
        return self._new_venue(kind)

    def _new_venue(self, kind: str) -> _Venue:
        rng = self.rng
        area, sector = rng.choice(NEIGHBOURHOODS)
        street = f"{rng.choice(WORDS)} {rng.choice(STREET_ENDINGS)}"
        name = rng.choice(VENUE_KINDS[kind].names).format(
            area=area, street=street, saint=rng.choice(SAINTS), word=rng.choice(WORDS), cafe=rng.choice(CAFES)
        )
        if name in self.venue_names:
            return self.venue_names[name]
        facts = {
            fact: None if self._maybe(0.12) else self._maybe(chance)
            for fact, chance in zip(VENUE_FACTS, VENUE_KINDS[kind].chances, strict=True)
        }
        place = geography.locate(sector)
        latitude, longitude = _jitter(rng, place.latitude, place.longitude)
        routes = sorted(rng.sample(range(1, 100), 2))
        transport = {
            True: f"Buses {routes[0]} and {routes[1]} stop on {street}, a short walk away.",
            False: "About fifteen minutes' walk from the nearest bus stop.",
            None: "",
        }[facts["near_public_transport"]]
        venue = _Venue(self._id("location"), name, kind, area, sector, facts)
        postcode = f"{sector}{rng.choice(POSTCODE_LETTERS)}{rng.choice(POSTCODE_LETTERS)}"
        self._add(
            Location(
                id=venue.location_id,
                location_type="physical",
                name=name,
                description=VENUE_KINDS[kind].description,
                transportation=transport,
                latitude=latitude,
                longitude=longitude,
                owner=self.owner,
            ),
            Address(
                id=self._id("address"),
                location_id=venue.location_id,
                address_1=f"Main gates, {street}" if kind == "park" else f"{rng.randint(1, 180)} {street}",
                address_2=area,
                city="Leeds",
                state_province="West Yorkshire",
                postal_code=postcode,
                country="GB",
                address_type="physical",
            ),
        )
        notes: dict[tuple[str, bool | None], tuple[str, str]] = {
            ("step_free", True): ("Step-free access", "Level entrance with automatic doors."),
            ("step_free", False): ("Steps at the entrance", "Three steps up to the door, with a handrail."),
            ("accessible_toilet", True): ("Accessible toilet", "On the ground floor, with an alarm cord."),
            ("hearing_loop", True): ("Hearing loop", "In the main room; ask at the door to switch it on."),
            ("parking", True): ("Parking", "Free car park with two blue badge spaces."),
        }
        for fact in VENUE_FACTS:
            if (note := notes.get((fact, facts[fact]))) is not None:
                self._add(
                    Accessibility(
                        id=self._id("accessibility"),
                        location_id=venue.location_id,
                        description=note[0],
                        details=note[1],
                    )
                )
        self.venues.append(venue)
        self.venue_names[name] = venue
        return venue

    # --- services

    def _pick_idea(self, kind: str, category: str) -> tuple[str, Idea]:
        """An idea of the category that fits the kind of schedule, else one of the next category that has."""
        codes = [category.code for category in CATEGORIES]
        start = codes.index(category)
        for code in codes[start:] + codes[:start]:
            ideas = [idea for idea in IDEAS[code] if kind in idea.kinds]
            if ideas:
                return code, self.rng.choice(ideas)
        raise AssertionError(f"no idea has schedules of kind {kind}")  # pragma: no cover

    def _name(self, idea: Idea, area: str, venue: _Venue | None, provider: _Provider) -> str:
        options = [f"{idea.name}, {area}"]
        if venue is not None:
            options.append(f"{idea.name} at {venue.name}")
        options.append(f"{idea.name}, {area} ({provider.name})")
        for name in options:
            if name not in self.names:
                self.names.add(name)
                return name
        number = 2
        while f"{options[0]} {number}" in self.names:
            number += 1
        self.names.add(f"{options[0]} {number}")
        return f"{options[0]} {number}"

    def _service(self, state: str, kind: str, category: str) -> None:
        rng = self.rng
        category, idea = self._pick_idea(kind, category)
        provider = self._pick_provider(category)
        service_id = self._id("service")
        self.provider_of[service_id] = provider
        venue = None if idea.mode == "online" else self._pick_venue(category, idea)
        area = venue.area if venue is not None else provider.area
        name = self._name(idea, area, venue, provider)
        first, last = self._person()
        contact_email = f"{first.lower()}@{provider.domain}"
        url = f"https://{provider.domain}/{slugify(idea.name)}"

        description = idea.description.format(area=area)
        if self._maybe(0.5):
            description += f" Run by {provider.name}."
        extras = [
            sentence
            for sentence in EXTRA_SENTENCES
            if venue is not None and (sentence != "Free parking nearby." or venue.facts["parking"])
        ]
        if extras and self._maybe(0.5):
            description += " " + rng.choice(extras)

        # Where.
        if venue is None:
            location_id = self._id("location")
            self._add(
                Location(
                    id=location_id,
                    location_type="virtual",
                    name="Online (video call)",
                    description="Sessions are on a video call; the link is sent when you sign up.",
                    url=f"https://{provider.domain}/join",
                    organization_id=provider.id,
                    owner=self.owner,
                )
            )
            where = ""
        else:
            location_id = venue.location_id
            where = {
                "phone": "Calls are made from our office here; you do not need to visit.",
                "home": "Our base. Visits happen in people's own homes.",
            }.get(idea.mode) or rng.choice(
                ("", "", "In the main hall.", "In the back room.", "In the meeting room.")
            )
        self._add(
            ServiceAtLocation(
                id=self._id("service_at_location"),
                service_id=service_id,
                location_id=location_id,
                description=where,
            )
        )

        # Cost.
        weeks = 12 if "twelve-week" in idea.description else rng.choice((6, 8, 10))
        price = rng.choice(idea.costs)
        cost_band = ""
        fees = ""
        if self._maybe(0.9):
            cost_band = CostBand.FREE if price == 0 else CostBand.LOW_COST if price <= 3 else CostBand.PAID
            if price == 0:
                fees = rng.choice(("Free.", "Free. Donations welcome.", "Free; pay what you can for tea."))
                self._add(self._cost(service_id, "Free", 0, fees))
            elif kind == COURSE:
                fees = f"£{price * weeks} for the {weeks} weeks, or £{price} a session."
                self._add(self._cost(service_id, "Whole course", price * weeks, fees))
                self._add(self._cost(service_id, "Per session", price, f"£{price} a session."))
            else:
                fees = f"£{price} a session" + rng.choice(("", ", tea included", ", pay on the day")) + "."
                self._add(self._cost(service_id, "Per session", price, fees))
                if price >= 3 and self._maybe(0.3):
                    reduced = f"£{price - 1} for carers, over-60s and people on benefits."
                    self._add(self._cost(service_id, "Concession", price - 1, reduced))

        # Who it is for.
        minimum, maximum = idea.ages
        if minimum is None and self._maybe(0.08):
            minimum = 18
        eligibility = ""
        if minimum is not None and maximum is not None:
            eligibility = f"For people aged {minimum} to {maximum}."
        elif minimum is not None:
            eligibility = f"For people aged {minimum} and over."
        if idea.shared:
            eligibility = f"For {_lower_first(idea.shared)}. {eligibility}".strip()

        extra_languages = rng.sample(LANGUAGES, rng.choice((1, 1, 2))) if self._maybe(0.25) else []
        self._add(Language(id=self._id("language"), service_id=service_id, name="English", code="en"))
        for language, code in extra_languages:
            note = f"Some volunteers speak {language}."
            self._add(
                Language(id=self._id("language"), service_id=service_id, name=language, code=code, note=note)
            )

        schedules, closures = self._schedules(service_id, kind, idea, url)
        self._add(*schedules, *closures)
        self._areas(service_id, idea, category, provider, venue)
        self._add(
            Attribute(
                id=self._id("attribute"),
                link_id=service_id,
                taxonomy_term_id=CATEGORY_BY_CODE[category].term_id,
                link_type=CATEGORY_LINK_TYPE,
                link_entity="service",
            )
        )
        if self._maybe(0.25):
            related = rng.choice(RELATED_CATEGORIES[category])
            self._add(
                Attribute(
                    id=self._id("attribute"),
                    link_id=service_id,
                    taxonomy_term_id=CATEGORY_BY_CODE[related].term_id,
                    link_type=CATEGORY_LINK_TYPE,
                    link_entity="service",
                )
            )
        if self._maybe(0.65):
            self._add(
                Contact(
                    id=self._id("contact"),
                    service_id=service_id,
                    name=f"{first} {last}",
                    title=rng.choice(CONTACT_TITLES),
                    email=contact_email,
                )
            )
        if self._maybe(0.75):
            kind_of_phone = "mobile" if provider.kind == "community" and self._maybe(0.6) else "landline"
            self._add(
                Phone(
                    id=self._id("phone"),
                    service_id=service_id,
                    number=self._phone(kind_of_phone),
                    type="cell" if kind_of_phone == "mobile" else "voice",
                    description=rng.choice(
                        (f"Ask for {first}.", "Answerphone out of hours; we ring back.", "")
                    ),
                )
            )
        if self._maybe(0.2):
            self._add(Funding(id=self._id("funding"), service_id=service_id, source=rng.choice(FUNDERS)))
        if idea.name in IDEA_DOCUMENTS:
            document = IDEA_DOCUMENTS[idea.name]
            self._add(
                RequiredDocument(id=self._id("required_document"), service_id=service_id, document=document)
            )

        if idea.mode in ("phone", "home"):
            application = "Refer yourself by phone, or ask your connector or GP to refer you."
        elif idea.booking == Booking.BOOKING_NEEDED:
            application = f"Phone or e-mail {first} to book a place."
        else:
            application = "Just come along."
        editorial = self._editorial(service_id, state)
        service = Service(
            id=service_id,
            organization_id=provider.id,
            program_id=provider.program_id if provider.program_id and self._maybe(0.6) else None,
            name=name,
            description=description,
            url=url if self._maybe(0.5) else "",
            email=contact_email if self._maybe(0.6) else "",
            status="defunct" if state == EntryState.ARCHIVED else "active",
            interpretation_services=(
                f"Some volunteers speak {_and([language for language, _ in extra_languages])}. "
                "Ask if you need an interpreter."
                if extra_languages
                else ""
            ),
            application_process=application,
            fees_description=fees,
            wait_time="Usually matched with a volunteer within four weeks."
            if idea.mode in ("phone", "home")
            else "",
            eligibility_description=eligibility,
            minimum_age=float(minimum) if minimum is not None else None,
            maximum_age=float(maximum) if maximum is not None else None,
            owner=self.owner,
            **editorial,
            **self._facts(idea, venue, category, cost_band, first),
        )
        self._add(service)
        self.services.append(service)
        self._add(
            Metadata(
                id=self._id("metadata"),
                resource_id=service_id,
                resource_type="service",
                last_action_date=self.today.isoformat()
                if service.last_modified is None
                else service.last_modified.astimezone(LONDON).date().isoformat(),
                last_action_type="update" if service.last_verified_at else "create",
                updated_by=RECORDED_BY,
            )
        )

    def _cost(self, service_id: uuid.UUID, option: str, amount: int, words: str) -> CostOption:
        return CostOption(
            id=self._id("cost_option"),
            service_id=service_id,
            option=option,
            currency="GBP",
            amount=float(amount),
            amount_description=words,
        )

    def _areas(
        self, service_id: uuid.UUID, idea: Idea, category: str, provider: _Provider, venue: _Venue | None
    ) -> None:
        rng = self.rng
        borough_wide = idea.mode == "phone" or (
            idea.mode == "venue"
            and (category == "advice" or provider.kind in ("council", "nhs"))
            and self._maybe(0.25)
        )
        if borough_wide:
            self._add(
                ServiceArea(
                    id=self._id("service_area"),
                    service_id=service_id,
                    name="Borough-wide",
                    description=f"Anyone living in the {BOROUGH} council area.",
                    extent=BOROUGH,
                    extent_type="local_authority",
                )
            )
        if idea.mode == "home" and venue is not None:
            if self._maybe(0.3):
                same = [sector for _, sector in NEIGHBOURHOODS if sector.startswith(f"{venue.district} ")]
                places = sorted({venue.sector, rng.choice(same)})
            else:
                districts = sorted({sector.split()[0] for _, sector in NEIGHBOURHOODS} - {venue.district})
                places = sorted({venue.district, rng.choice(districts)})
            self._add(
                ServiceArea(
                    id=self._id("service_area"),
                    service_id=service_id,
                    name=f"Home visits in {_and(places)}",
                    description="We visit people who live in these postcode areas.",
                    extent=", ".join(places),
                    extent_type="postcode",
                )
            )

    def _facts(
        self, idea: Idea, venue: _Venue | None, category: str, cost_band: str, contact: str
    ) -> dict[str, object]:
        """The connector facts, each sometimes unknown, as real directories are."""
        rng = self.rng
        if not self._maybe(0.85):
            first_visit = ""
        elif idea.mode in FIRST_VISITS_BY_MODE:
            first_visit = FIRST_VISITS_BY_MODE[idea.mode]
        elif category == "walking" and venue is not None:
            first_visit = FIRST_VISIT_WALKING.format(venue=venue.name)
        else:
            first_visit = rng.choice(FIRST_VISITS).format(contact=contact)
        size = idea.size if self._maybe(0.8) else ""
        if size == GroupSize.MEDIUM and self._maybe(0.15):
            size = rng.choice((GroupSize.SMALL, GroupSize.LARGE))
        if not self._maybe(0.7):
            atmosphere = ""
        elif size == GroupSize.LARGE:
            atmosphere = Atmosphere.BUSY if self._maybe(0.75) else Atmosphere.QUIET
        elif size in (GroupSize.SMALL, GroupSize.ONE_TO_ONE):
            atmosphere = Atmosphere.QUIET if self._maybe(0.75) else Atmosphere.BUSY
        else:
            atmosphere = rng.choice((Atmosphere.BUSY, Atmosphere.QUIET))
        at_venue = idea.mode == "venue" and venue is not None
        access = {
            fact: (venue.facts[fact] if at_venue and venue is not None and self._maybe(0.85) else None)
            for fact in VENUE_FACTS
        }
        if idea.shared == "People with hearing loss":
            access["hearing_loop"] = True
        companion = True if "come free" in first_visit else self._tristate(0.45, 0.1)
        return {
            "first_visit": first_visit,
            "newcomers_met": self._tristate(0.55, 0.1),
            "companion_free": companion,
            "group_size": size,
            "atmosphere": atmosphere,
            "activity_level": idea.activity if self._maybe(0.85) else "",
            "audience": (
                Audience.SHARED_EXPERIENCE if idea.shared else Audience.GENERAL if self._maybe(0.8) else ""
            ),
            "shared_experience": idea.shared,
            "cost_band": cost_band,
            **access,
            "online_option": True if idea.mode == "online" else self._tristate(0.08, 0.42),
            "phone_option": True if idea.mode == "phone" else self._tristate(0.06, 0.34),
            "home_visits": True if idea.mode == "home" else self._tristate(0.0, 0.45),
            "booking": idea.booking if self._maybe(0.85) else "",
        }

    # --- when

    def _times(self, slot: str) -> tuple[dt.time, dt.time, str]:
        start_hour, start_minute, end_hour, end_minute = self.rng.choice(SLOTS[slot])
        words = f"{_clock(start_hour, start_minute)} to {_clock(end_hour, end_minute)}"
        return dt.time(start_hour, start_minute), dt.time(end_hour, end_minute), words

    def _schedules(
        self, service_id: uuid.UUID, kind: str, idea: Idea, url: str
    ) -> tuple[list[Schedule], list[Closure]]:
        rng = self.rng
        day = rng.choice(idea.days)
        days = f"{DAY_NAMES[day]}s"
        opens, closes, when = self._times(rng.choice(idea.slots))
        attending = {"online": "online", "phone": "phone"}.get(idea.mode, "in person")
        link = f"{url}/join" if idea.mode == "online" else ""

        def row(**fields: object) -> Schedule:
            return Schedule(
                id=self._id("schedule"),
                service_id=service_id,
                attending_type=attending,
                schedule_link=link,
                **fields,
            )

        weekly = {"freq": "WEEKLY", "interval": 1, "byday": day, "opens_at": opens, "closes_at": closes}
        if kind == WEEKLY:
            return [row(**weekly, description=f"{days}, {when}")], []
        if kind == TERM_TIME:
            closures = [
                Closure(service_id=service_id, starts_on=start, ends_on=end, reason=reason)
                for start, end, reason in self.holidays
            ]
            return [row(**weekly, description=f"{days}, {when}, in term time")], closures
        if kind == CLOSED_AUGUST:
            august = self.today.year if self.today <= dt.date(self.today.year, 8, 31) else self.today.year + 1
            closure = Closure(
                service_id=service_id,
                starts_on=dt.date(august, 8, 1),
                ends_on=dt.date(august, 8, 31),
                reason="Closed in August",
            )
            return [row(**weekly, description=f"{days}, {when}, closed in August")], [closure]
        if kind == TWICE_WEEKLY:
            others = [other for other in (idea.days if len(idea.days) > 1 else WEEKDAYS) if other != day]
            both = sorted({day, rng.choice(others)}, key=DAY_CODES.index)
            weekly["byday"] = ",".join(both)
            words = _and([f"{DAY_NAMES[code]}s" for code in both])
            return [row(**weekly, description=f"{words}, {when}")], []
        if kind == TWO_SESSIONS:
            morning_opens, morning_closes, morning = self._times("morning")
            later = "evening" if idea.slots == ("evening",) else "afternoon"
            later_opens, later_closes, afternoon = self._times(later)
            return [
                row(
                    **(weekly | {"opens_at": morning_opens, "closes_at": morning_closes}),
                    description=f"{days}, {morning} (morning session)",
                ),
                row(
                    **(weekly | {"opens_at": later_opens, "closes_at": later_closes}),
                    description=f"{days}, {afternoon} ({later} session)",
                ),
            ], []
        if kind == FORTNIGHTLY:
            start = _on_or_before(self._days_ago(rng.choice((0, 7))), day)
            fields = weekly | {"interval": 2, "dtstart": start}
            return [row(**fields, description=f"Every other {DAY_NAMES[day]}, {when}")], []
        if kind == MONTHLY:
            ordinals = rng.choice(MONTHLY_PATTERNS)
            fields = weekly | {"freq": "MONTHLY", "byday": ",".join(f"{number}{day}" for number in ordinals)}
            words = _and([ORDINALS[number] for number in ordinals])
            return [
                row(**fields, description=f"{words.capitalize()} {DAY_NAMES[day]} of the month, {when}")
            ], []
        if kind == ONE_OFF:
            on = _on_or_after(self.today + dt.timedelta(days=rng.randint(3, 45)), day)
            return [
                row(
                    dtstart=on,
                    opens_at=opens,
                    closes_at=closes,
                    description=f"One day only: {_long_date(on)}, {when}",
                )
            ], []
        if kind == COURSE:
            weeks = 12 if "twelve-week" in idea.description else rng.choice((6, 8, 10))
            start = _on_or_after(self.today + dt.timedelta(days=rng.randint(5, 30)), day)
            ends: dict[str, object] = (
                {"count": weeks} if self._maybe(0.7) else {"until": start + dt.timedelta(weeks=weeks - 1)}
            )
            words = f"{COURSE_WEEKS[weeks]}-week course on {days}, {when}, starting {_long_date(start)}"
            return [row(**weekly, dtstart=start, **ends, description=words)], []
        words = {
            "phone": "Calls at a time that suits you, usually once a week.",
            "home": "Visits at a time that suits you, usually once a week.",
        }.get(idea.mode, "By appointment: phone or e-mail to arrange a time.")
        return [row(description=words)], []

    # --- the editorial life

    def _editorial(self, service_id: uuid.UUID, state: str) -> dict[str, object]:
        """State, checks and provenance, with dates that agree with the daily review sweep."""
        rng = self.rng
        review, stale = self.review_days, self.stale_days
        fields: dict[str, object] = {"state": state, "source": SOURCE, "source_recorded_by": RECORDED_BY}
        if state == EntryState.DRAFT:
            editor, name, _ = self._editor()
            changed = self._at(self._days_ago(rng.randint(1, 20)))
            return fields | {
                "state_changed_at": changed,
                "last_modified": changed,
                "source_recorded_at": changed,
                "source_recorded_by": editor.username if editor is not None else name,
            }
        if state == EntryState.PUBLISHED:
            highest = min(170, review - 1)
            ago = rng.randint(min(1, highest), highest)
        elif state == EntryState.REVIEW_DUE:
            lowest = review + (1 if stale > 1 else 0)
            ago = rng.randint(lowest, max(lowest, review + stale - 1))
        elif state == EntryState.STALE:
            ago = rng.randint(review + stale + 1, review + stale + 120)
        else:  # archived
            ago = rng.randint(review + 30, review + 400)
        verified_on = self._days_ago(ago)
        checks = [ago] + ([ago + rng.randint(120, 200)] if self._maybe(0.5) else [])
        latest: tuple[dt.datetime, User | None, str, str] | None = None
        for days in checks:
            editor, name, email = self._editor()
            method: str = rng.choices(list(VERIFICATION_NOTES), weights=(0.4, 0.15, 0.3, 0.15), k=1)[0]
            moment = self._at(self._days_ago(days))
            self._add(
                Verification(
                    service_id=service_id,
                    verified_at=moment,
                    verified_by=editor,
                    verified_by_name=name,
                    method=method,
                    note=rng.choice(VERIFICATION_NOTES[method]),
                )
            )
            if latest is None:
                latest = (moment, editor, method, email)
        assert latest is not None
        moment, editor, method, email = latest
        due = verified_on + dt.timedelta(days=review)
        changed_at: dict[str, dt.datetime] = {
            EntryState.PUBLISHED: moment,
            EntryState.REVIEW_DUE: self._at(due, 6, 0),
            EntryState.STALE: self._at(due + dt.timedelta(days=stale), 6, 0),
        }
        changed = changed_at.get(state) or self._at(self._days_ago(rng.randint(1, 90)))
        return fields | {
            "state_changed_at": changed,
            "last_verified_at": moment,
            "last_verified_by": editor,
            "verification_method": method,
            "review_due_on": due,
            "assured_date": verified_on,
            "assurer_email": email,
            "last_modified": max(moment, changed),
            "source_recorded_at": self._at(self._days_ago(max(checks) + rng.randint(1, 60))),
            "version": len(checks) + rng.randint(0, 2),
        }

    def _suggestion(self, suggestion: Suggestion) -> None:
        """A service suggested on the public form, as `service_suggest` records it; some rejected."""
        rng = self.rng
        organization_id = self._id("organization")
        self._add(
            Organization(
                id=organization_id,
                name=suggestion.organization,
                description=suggestion.organization,
                owner=self.owner,
            )
        )
        submitted = self._at(self._days_ago(rng.randint(2, 14)), rng.randint(8, 21))
        notes = [f"When: {suggestion.when}", f"Where: {suggestion.where}"]
        if self._maybe(0.6):
            notes.append(f"Phone: {self._phone('mobile')}")
        rejected = bool(suggestion.reason)
        decided = self._at(self._days_ago(rng.randint(0, 1)), 9) if rejected else submitted
        service = Service(
            id=self._id("service"),
            organization_id=organization_id,
            owner=self.owner,
            name=suggestion.name,
            description=suggestion.description,
            email=suggestion.email if self._maybe(0.5) else "",
            application_process="\n".join(notes),
            state=EntryState.REJECTED if rejected else EntryState.SUBMITTED,
            state_changed_at=decided,
            rejection_reason=suggestion.reason,
            submitted_by_name=suggestion.submitted_by,
            submitted_by_email=suggestion.email,
            source=SUGGESTION_SOURCE,
            source_recorded_at=submitted,
            source_recorded_by=suggestion.submitted_by,
            last_modified=decided,
            version=2 if rejected else 1,
        )
        self._add(service)
        self.services.append(service)

    def _problem_reports(self, open_count: int) -> None:
        """Open problem reports of every kind on public entries, and two already dealt with."""
        rng = self.rng
        public = [service for service in self.services if service.state in PUBLIC_STATES]
        kinds = list(PROBLEM_DETAILS)
        for number, service in enumerate(rng.sample(public, min(len(public), open_count + 2))):
            kind = kinds[number % len(kinds)]
            reporter, email = rng.choice(REPORTERS)
            is_open = number < open_count
            reported = self._at(
                self._days_ago(rng.randint(1, 12) if is_open else rng.randint(20, 60)), rng.randint(8, 21)
            )
            report = ProblemReport(
                service_id=service.id,
                kind=kind,
                details=rng.choice(PROBLEM_DETAILS[kind]),
                reporter_name=reporter,
                reporter_email=email,
                reported_at=reported,
            )
            if not is_open:
                editor, _, _ = self._editor()
                resolved = number % 2 == 0
                report.status = TaskStatus.RESOLVED if resolved else TaskStatus.DISMISSED
                report.resolved_at = reported + dt.timedelta(days=rng.randint(1, 5))
                report.resolved_by = editor
                report.resolution_note = (
                    "Rang the group and corrected the entry."
                    if resolved
                    else "Checked with the organiser: the entry was right."
                )
            self._add(report)

    def _claims(self, pending: int, approved: int) -> None:
        """Providers asking to look after their listings: some waiting, one already approved."""
        rng = self.rng
        published = [service for service in self.services if service.state == EntryState.PUBLISHED]
        for number, service in enumerate(rng.sample(published, min(len(published), pending + approved))):
            first, last = self._person()
            provider = self.provider_of[service.id]
            claim = ListingClaim(
                service_id=service.id,
                claimant_name=f"{first} {last}",
                claimant_email=f"{first}.{last}@{provider.domain}".lower(),
                claimant_phone=self._phone("mobile") if self._maybe(0.7) else "",
                claimant_role=rng.choice(CLAIMANT_ROLES),
                evidence=rng.choice(CLAIM_EVIDENCE),
                claimed_at=self._at(
                    self._days_ago(rng.randint(1, 14) if number < pending else 40), rng.randint(8, 21)
                ),
            )
            if number >= pending:
                editor, _, _ = self._editor()
                claim.status = ClaimStatus.APPROVED
                claim.decided_at = claim.claimed_at + dt.timedelta(days=2)
                claim.decided_by = editor
                service.provider_contact_name = claim.claimant_name
                service.provider_contact_email = claim.claimant_email
            self._add(claim)


def build_directory(
    *, owner: Organisation, editors: Sequence[User], services: int = 300, seed: int, today: dt.date
) -> DirectorySummary:
    """Build the demo directory of `services` entries, looked after by `owner`, checked by `editors`.

    Deterministic: the same seed and `today` give the same records with the same ids. Call inside a
    transaction (the demo builder does); the rows are saved with bulk_create, and one audit entry
    records the load.
    """
    if services < 0:
        raise ValueError("services must be 0 or more")
    builder = _DirectoryBuilder(owner=owner, editors=editors, seed=seed, today=today)
    builder.build(services)
    return builder.save()


def directory_owner() -> Organisation | None:
    """The demo organisation whose directory editors look after the directory: the first with one."""
    return (
        Organisation.objects.filter(staff__role_grants__role=Role.DIRECTORY_EDITOR, staff__is_active=True)
        .order_by("pk")
        .first()
    )


def build_demo_directory(options: DemoOptions, rng: random.Random, summary: DemoSummary) -> None:
    """The demo step: `--services` entries for the organisation with directory editors.

    The directory draws on its own random numbers (from the seed), not on `rng`, so adding it did not
    change the rest of the demo, and the rest of the demo can change without moving the directory.
    """
    owner = directory_owner()
    if owner is None:
        summary.lines.append("no directory: no organisation has a directory editor")
        return
    editors = list(
        User.objects.filter(
            organisation=owner, is_active=True, role_grants__role=Role.DIRECTORY_EDITOR
        ).order_by("username")
    )
    built = build_directory(
        owner=owner, editors=editors, services=options.services, seed=options.seed, today=local_today()
    )
    summary.lines.append(built.line)
