"""Connections (onward referrals), shortlists and gaps. One module per part; Django sees them here."""

from linkwork.matching.models.connections import *  # noqa: F403
from linkwork.matching.models.embeddings import *  # noqa: F403
from linkwork.matching.models.gaps import *  # noqa: F403
from linkwork.matching.models.shortlists import *  # noqa: F403
