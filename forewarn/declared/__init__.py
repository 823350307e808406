"""What the author declared, mapped onto the taxonomy, and how it compares.

Authors write warnings as free text ("This fic will contain: Violence, torture,
strong language, blood play and strong sexual themes"), as TW/CW lines, or as
AO3 archive warnings and tags. Each declared item is mapped through the
taxonomy's aliases; what does not map is kept, visibly, as unmapped.

The parts: ``lines`` cuts a declaration line into items and tells story from it,
``phrase`` maps one item to warnings, ``negation`` knows the items that name none
("none", "no gore", AO3's choice not to warn), and ``comparison`` sets what a work
declares against what was detected. Import from here: the parts may move.
"""

from forewarn.declared.comparison import Comparison, compare, declared_from_metadata
from forewarn.declared.lines import (
    RATING_REASON_WORDS,
    is_warning_list,
    parse_declaration,
    rating_reason,
    reads_as_story,
)
from forewarn.declared.negation import (
    AO3_NO_WARNING,
    CHOSE_NOT_TO_WARN,
    CHOSE_NOT_TO_WARN_OLD,
    NO_WARNINGS_APPLY,
    NONE_DECLARED,
    REMARKS,
    ao3_value,
    declares_none,
    names_no_warning,
    negates_warning,
)
from forewarn.declared.phrase import MAX_ITEM_WORDS, DeclaredItem

__all__ = [
    "AO3_NO_WARNING",
    "CHOSE_NOT_TO_WARN",
    "CHOSE_NOT_TO_WARN_OLD",
    "MAX_ITEM_WORDS",
    "NONE_DECLARED",
    "NO_WARNINGS_APPLY",
    "RATING_REASON_WORDS",
    "REMARKS",
    "Comparison",
    "DeclaredItem",
    "ao3_value",
    "compare",
    "declared_from_metadata",
    "declares_none",
    "is_warning_list",
    "names_no_warning",
    "negates_warning",
    "parse_declaration",
    "rating_reason",
    "reads_as_story",
]
