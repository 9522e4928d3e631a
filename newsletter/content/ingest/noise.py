"""Page furniture a scrape or a converter leaves among the article's lines: menus, bylines,
cookie bars, sign-up boxes, share buttons, image labels. Each predicate is one named rule;
the readers record the rule that fired as the reason a line was dropped."""

from __future__ import annotations

import re

from .lines import core_text, final_char, word_count

# --- noise ---------------------------------------------------------------------------------

_SKIP_LINK = re.compile(
    r"^(?:skip|jump) to (?:the )?(?:main )?(?:content|navigation|main|article|footer|menu)\b",
    re.IGNORECASE,
)
_IMAGE_WORDS = (
    "testimonial|testimonials|image|images|photo|photos|picture|pictures|illustration|"
    "infographic|screenshot|logo|icon|banner|graphic|thumbnail|gif|headshot|img"
)
_IMAGE_LABEL = re.compile(rf"\b(?:{_IMAGE_WORDS})$", re.IGNORECASE)
IMAGE_PREFIX = re.compile(
    r"^(?:photo|image|picture|photo credit|image credit|credit|caption|figure \d+|fig\. ?\d+)"
    r"\s*[:|\-–—]",
    re.IGNORECASE,
)
_IMAGE_FILE = re.compile(r"\.(?:jpe?g|png|gif|webp|svg|avif)$", re.IGNORECASE)
_LINK_ARROW = re.compile(r"(?:→|»|›|>>|->)\s*$")
_LINK_ONLY = re.compile(
    r"^(?:read more|read the full \w+|continue reading|click here|learn more|see more|"
    r"view all|back to top|read next|keep reading|more info|show (?:more|all)|see all|"
    r"load more|browse (?:more|all))\b.{0,40}$",
    re.IGNORECASE,
)
_SIGNUP = re.compile(
    r"\b(?:subscribe\b|sign[ -]?up\b|our newsletter|(?:the|our) mailing list|"
    r"receive (?:our )?emails?|enter your email|"
    r"join (?:our|the) (?:list|community|newsletter|mailing list)|(?:to|in) your inbox|"
    r"unsubscribe at any time|no spam|join [\d,.]+[km]? other (?:followers|subscribers)|"
    r"subscri(?:ber|ption) (?:benefits?|exclusives?|offers?|perks?))",
    re.IGNORECASE,
)
_BOILERPLATE = re.compile(
    r"^(?:share(?: this(?: \w+)?)?(?: (?:on|via|by|with) \w+)?|tweet|pin it|print(?: this \w+)?|"
    r"(?:(?:like|share|tweet|pin|reblog|save|email|print|follow)(?: (?:it|this|us))?"
    r"[,!.&\s]*(?:and )?){2,}|reblog|reddit|tumblr|flipboard|telegram|"
    r"(?:show |read |see |view )?more|"
    r"copy link|email|facebook|twitter|x|"
    r"linkedin|pinterest|instagram|whatsapp|advertisement|sponsored|previous(?: post)?|"
    r"next(?: post| story| article)?|leave a (?:private )?(?:comment|reply)(?: on this \w+)?"
    r"(?: and see it here)?\.?|add (?:the )?ingredients to (?:your )?(?:grocery|shopping) list|"
    r"\d+ comments?|no comments|comments|"
    r"related (?:posts|articles)|you (?:may|might) also like|tags?:.*|categor(?:y|ies):.*|"
    r"posted (?:on|in|by) .*|©.*|copyright .*|all rights reserved.*|cookie settings|"
    # a recipe card's buttons: "Print Recipe", "Made this? Leave a Rating!"
    r"(?:print|pin|save|rate|email|review)(?: this)? recipe!?|(?:please )?rate this recipe\.?|"
    r"(?:made this|tried this recipe)\?.{0,40}|leave a (?:rating|review)!?|"
    # the same page in another language, its link lost: "Read this article in Spanish."
    r"read (?:this|the) (?:article|post|page|story) in [a-z]+\.?|"
    # where the post was first published: "This content was originally featured on:"
    r"(?:this (?:content|post|article|story|piece) )?(?:was |first )?originally "
    r"(?:featured|published|appeared|posted|ran)(?: (?:on|in|at)\b[^,;]{0,60}|:)?|"
    r"accept(?: all)?(?: cookies)?)$",
    re.IGNORECASE,
)


_NAVIGATION = re.compile(
    r"^(?:(?:main |mobile |site )?menu|navigation|toggle (?:navigation|menu)|open menu|"
    r"close(?: menu)?|search(?: for)?|log ?in|sign ?in|my account|cart(?: \(\d+\))?|home)$",
    re.IGNORECASE,
)
_CRUMB_SEPARATORS = re.compile(r"\s(?:›|»|>|/|\\|→|·|\|)\s")
_BYLINE_NAME = re.compile(r"^(?:[-–—/]+\s*)?[Bb]y\s+[A-Z][\w.'’-]*"
                          r"(?:\s+(?:(?:de|da|del|della|di|du|la|le|van|von|der|den|dos|bin)\s+)*"
                          r"[A-Z][\w.'’-]*){0,3}\s*"  # "By Alejandro de la Garza"
                          r"(?:[|·•–—]|$|\[?[Ff]ollow\b)")
# "By" alone (the name follows on its own line), or after the name a page put first
_BYLINE_LABEL = re.compile(
    r"^\s*(?:[Bb][Yy]:?|(?:\[[^\]]{1,40}\]\([^)]*\)|[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3})"
    r"\s+By:?)\s*$")
_BYLINE_ROLE = re.compile(
    r"^(?:[-–—]+\s*)?(?:written|reviewed|medically reviewed|fact[- ]checked|edited|tested|"
    r"submitted|photographed|produced|compiled|illustrated|reported|recipe developed)"
    r"(?: and [a-z ]{3,20})? by\b|^(?:recipe|adapted|recipe adapted) (?:from|by)\s+[A-Z]",
    re.IGNORECASE,
)
_BYLINE_DATE = re.compile(
    r"^(?:updated|published|last updated|posted)(?: on)?:?\s+\w+\.? \d", re.IGNORECASE
)
_READ_TIME = re.compile(r"\b\d{1,3}\s*(?:-|\s)?min(?:ute)?s?\s+read\b", re.IGNORECASE)
_COOKIE = re.compile(
    r"\b(?:accept|allow|reject|decline|manage)(?: all)?(?: the)? cookies\b|"
    r"\bcookies? (?:settings|policy|preferences|consent|notice|banner)\b|"
    r"\b(?:we|this (?:web)?site) uses? cookies\b|"
    r"\bcookies? to (?:improve|give|ensure|personali[sz]e|analy[sz]e|enhance)\b",
    re.IGNORECASE,
)
FORM_FIELD = re.compile(
    r"^(?:your |enter your )?(?:e-?mail(?: address)?|first name|last name|full name)\s*\*?:?$",
    re.IGNORECASE,
)
RELATED_HEADING = re.compile(
    r"^(?:related (?:posts?|articles?|reading|stor(?:y|ies))|you (?:may|might) also like|"
    r"popular (?:posts|articles)|(?:what to )?read (?:this )?next|"
    r"more (?:posts|articles|from the blog)|"
    r"(?:more|latest|other) (?:\w+ )?(?:news|stories)|most (?:read|popular|viewed)(?: \w+){0,2}|"
    r"recent posts|further posts)\s*:?$",
    re.IGNORECASE,
)


def is_navigation(text: str) -> bool:
    """A site menu entry left by the scrape: ``Menu``, ``Search``, ``Log in``, ``Home``."""
    return bool(_NAVIGATION.match(core_text(text)))


def is_breadcrumb(text: str) -> bool:
    """A breadcrumb trail: ``Home › Blog › Sleep`` (short parts joined by separators); an
    order the text labels (``Avalanche order: Card A → Card B → Loan``) is no trail."""
    parts = _CRUMB_SEPARATORS.split(text)
    if len(parts) < 2 or word_count(text) > 16 or final_char(text) in ".!?":
        return False
    if re.match(r"^[*_]*[^:›»>/→|]{2,40}:[*_]*\s", parts[0]) and not re.match(
            r"^\W*you are here", parts[0], re.IGNORECASE):
        return False
    short = all(0 < word_count(p) <= 5 for p in parts)
    return short and (len(parts) >= 3 or parts[0].strip().casefold() == "home")


def is_byline(text: str) -> bool:
    """An author/date/read-time line: ``By Jane Doe | Updated March 3, 2024 | 8 min read``,
    ``Medically reviewed by ...``, ``Written by ...``, ``By [Jane Doe](...) March 18 at 12:22
    PM [Follow @jdoe](...)``."""
    if _names_author_and_date(text) or _dated_then_named(text):
        return True
    if word_count(text) <= 40 and _BYLINE_WITH_ROLE.match(text):
        return True
    if word_count(text) > 20:
        return False
    if any(rule.match(text) for rule in (_BYLINE_LABEL, _BYLINE_NAME, _BYLINE_DATE, _BYLINE_ROLE)):
        return True
    read_time = _READ_TIME.search(text)
    return bool(read_time) and (read_time.group(0) == text or bool(re.search(r"[|·•]", text)))


# "By Jane Doe, a yoga instructor based in Leeds. You can follow her at ...": a section's
# writer, with who they are
_BYLINE_WITH_ROLE = re.compile(
    r"^[Bb]y\s+(?!(?i:(?:mon|tues|wednes|thurs|fri|satur|sun)day\b|(?:january|february|march|"
    r"april|may|june|july|august|september|october|november|december|christmas|easter|the|"
    r"next|last|early)\b))"
    r"[A-Z][\w.'’-]*(?:\s+(?:(?:de|da|del|di|du|la|le|van|von)\s+)*[A-Z][\w.'’-]*){1,3}"
    r",\s+(?:an?|the|our)(?:\s+|(?=[A-Z]))[^.!?]{3,120}[.!]")  # "aYoga": a scrape lost a space
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_LEADING_LINK = re.compile(r"^\[([^\]]+)\]\([^)\s]+\)\s*[|·•,–—-]?\s*")
_BY = re.compile(r"^(?:[-–—*/]+\s*)?[Bb][Yy]:?\s+(?=[A-Z])")
# what follows an author's name on a byline: links to write or follow them, separators
_BYLINE_EXTRAS = re.compile(
    r"\(mailto:[^)]*\)|\bfollow\s+@?[\w.]+|@[\w.]+|\b(?:e-?mail|twitter|bio)\b|[\[\]|·•,]|"
    r"(?:^|\s)[-–—]+(?=\s|$)", re.IGNORECASE)
_NAME_WORD = re.compile(r"^(?:[A-Z][\w.'’-]*|and|&|de|van|von|der)$")


def _dated_then_named(text: str) -> bool:
    """A date, then ``By`` and the author's name, then the post's furniture (its comment
    count, its categories): ``March 19, 2018 By [Jane Doe](...) [2 Comments](...) | Filed
    Under: ...``."""
    plain = _MD_LINK.sub(lambda m: f" {m[1]} ", text)
    parts = _BY_INSIDE.split(plain, maxsplit=1)
    return len(parts) == 2 and word_count(plain) <= 30 and is_dateline(parts[0]) and bool(
        re.match(r"[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}\b", parts[1]))


_BY_INSIDE = re.compile(r"\s*[|·•–—-]?\s+[Bb][Yy]:?\s+(?=[A-Z])")


def _names_author_and_date(text: str) -> bool:
    """``By`` and a name of up to five words, then nothing but a date, a time or links to
    follow or write to the author."""
    plain = _MD_LINK.sub(lambda m: f" {m[1]} ", text)
    lead = _BY.match(plain)
    if lead is None:  # the author's name as a link to their page, then the date
        linked = _LEADING_LINK.match(text)
        return bool(linked) and word_count(linked[1]) <= 4 and is_dateline(text[linked.end():])
    words = plain[lead.end():].split()
    for size in range(1, min(5, len(words)) + 1):
        if not _NAME_WORD.match(words[size - 1].rstrip(",")):
            return False
        rest = _BYLINE_EXTRAS.sub(" ", " ".join(words[size:])).strip()
        if len(rest.split()) <= 12 and (not rest or is_dateline(rest)):
            return True
    return False


def is_cookie_notice(text: str) -> bool:
    """A cookie banner: ``We use cookies ...``, ``Accept all cookies``."""
    return word_count(text) <= 40 and bool(_COOKIE.search(text))


def is_skip_link(text: str) -> bool:
    """An accessibility link such as ``Skip to content``."""
    return bool(_SKIP_LINK.match(text)) and word_count(text) <= 5


def is_image_label(text: str) -> bool:
    """An image label left by the scrape (``... testimonial``, ``Photo: ...``, a file name)."""
    if word_count(text) > 15 or final_char(text) in ".!?":
        return False
    if IMAGE_PREFIX.match(text) or _IMAGE_FILE.search(text):
        return True
    return word_count(text) <= 6 and bool(_IMAGE_LABEL.search(text))


def is_link_without_url(text: str) -> bool:
    """A link whose URL the scrape lost: ``... in this article →``, ``Read more``."""
    if word_count(text) > 20:
        return False
    if _LINK_ARROW.search(text):
        return True
    return bool(_LINK_ONLY.match(text)) and final_char(text) not in ".!?"


def is_signup_line(text: str) -> bool:
    """A newsletter sign-up box line: ``Subscribe to our newsletter``, ``Sign up``."""
    if word_count(text) > 25 or not _SIGNUP.search(text):
        return False
    return final_char(text) not in ".;,…" or word_count(text) <= 8


def is_boilerplate(text: str) -> bool:
    """Share buttons, comment counters, copyright lines and similar page furniture."""
    return word_count(text) <= 12 and bool(_BOILERPLATE.match(text))


_CREDIT_TAIL = re.compile(
    r"(?:^[(|]?\s*|\s[-–—|/(]\s*)(?:image|photo|picture|photograph|illustration|screenshot|"
    r"credit|source)s?"
    r"(?:\s+(?:by|credit|courtesy(?: of)?))?\s*:\s*[^:]{1,60}(?<![.!?])\)?$",
    re.IGNORECASE,
)
_CREDIT_HEAD = re.compile(
    r"^\(?(?:photo|image|picture|illustration|screenshot)s?\s+(?:by|courtesy of|credit)\b",
    re.IGNORECASE
)


def is_photo_credit(text: str) -> bool:
    """A picture's caption with its credit: ``The new board - Image: Acme Foundation``,
    ``Photo by Jane Doe``, ``(Photo: A Wire Service)``."""
    if word_count(text) > 25:
        return False
    return bool(_CREDIT_TAIL.search(text) or (_CREDIT_HEAD.match(text) and word_count(text) <= 12)
                or _NAME_SLASH_SOURCE.match(text))


# "Jane Doe/Wire Service": a photographer's name and the agency, as a credit under a picture
_NAME_SLASH_SOURCE = re.compile(
    r"^(?!(?:The|A|An|My|Our|Your|How|Why|What|When|Best|Top)\b)"
    r"[A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+){1,3} ?/ ?[A-Z][\w&.'’-]*(?: [A-Z][\w&.'’-]*){0,3}$")


_TEASER_HEADING = re.compile(
    r"^(?:more (?:\w+ ){0,3}(?:news|stories|posts|articles|videos|reading|coverage|guides|"
    r"tips|recipes|reads|features|reviews|links|content|"
    r"to (?:explore|read|watch)|about|from [\w ]{1,30}|on [\w ]{1,30}|like this)|"
    r"(?:related|recommended|trending|popular|latest)(?: (?:\w+ )?(?:posts|articles|stories|news|"
    r"items|reading|content|links|videos|now|today|for you))?|"
    r"most (?:read|popular|viewed|shared|emailed)(?: \w+){0,3}|"
    r"(?:what|where) to (?:read|watch) next|read (?:this )?next|up next|next on [\w ]{1,30}|"
    r"(?:other|more) (?:people|readers) are (?:reading|watching)|"
    r"promoted (?:by [\w .&-]{1,30}|content|stories)|"
    r"(?:from|around) (?:around )?the web|you (?:may|might) (?:also )?(?:like|enjoy)|"
    r"(?:editor'?s )?picks?(?: for you)?|recommended for you|don'?t miss|see also|"
    r"also (?:read|see|on [\w ]{1,30})|(?:in|on) other news|"
    r"top (?:stories|articles|posts|reads))\s*:?$",
    re.IGNORECASE,
)


def is_teaser_heading(text: str) -> bool:
    """The heading of a box of links to other pages: ``More games news:``, ``Most Read``,
    ``What to Read Next``, ``Promoted by ...``, ``Other people are reading``."""
    return word_count(text) <= 8 and bool(_TEASER_HEADING.match(core_text(text)))


_CONTENTS_HEADING = re.compile(
    r"^(?:table of contents|contents|in this (?:article|post|guide|page)|on this page|"
    r"jump to(?: section)?|quick links|article contents|what'?s inside)\s*:?$",
    re.IGNORECASE,
)


def is_contents_heading(text: str) -> bool:
    """The heading of an in-page table of contents: ``Contents``, ``In this article``."""
    return bool(_CONTENTS_HEADING.match(core_text(text)))


_STORE_BUTTON = re.compile(
    r"^(?:buy|shop|order|get(?: it)?|check|see|view|compare|add to (?:cart|bag|basket))"
    r"(?: (?:now|here|it|the )?(?:price|prices|deal|deals|now|here|it))?"
    r"(?: (?:on|at|from) [\w .]{1,20})?$",
    re.IGNORECASE,
)
_NUMBER_ONLY = re.compile(r"^[^\w]*\d[\d\W_]*$")
_AUTHOR_CONTACT = re.compile(
    r"\b(?i:is|are) on (?i:twitter|x|instagram|facebook|linkedin|mastodon|threads|bluesky)\b|"
    r"^(?i:follow|find|reach|contact|email|write to) (?:(?i:me|us|him|her|them)|"
    r"[A-Z][\w.'-]*(?: [A-Z][\w.'-]*)?) (?i:on|at|via)\b|"
    r"^[\w.+-]+@[\w-]+\.[\w.-]+$"
)


def is_store_button(text: str) -> bool:
    """A shop button's label on its own: ``Buy Now``, ``Check price``, ``View deal``."""
    return word_count(text) <= 6 and bool(_STORE_BUTTON.match(core_text(text)))


def is_number_only(text: str) -> bool:
    """A score, price or count on its own: ``87``, ``$610.00``, ``+10``, ``3/50``."""
    return bool(_NUMBER_ONLY.match(text))


# "Games Editor", "Staff writer", "Seattle Desk business reporter": a role under a byline
# (a line of a sentence about writers has words such as "why", "an", "needs" in it)
_ROLE_LINE = re.compile(
    r"^(?:[\w&.'’-]+ ){0,4}(?:reporter|editor|correspondent|writer|columnist|contributor|"
    r"critic|producer|journalist|photographer)s?$", re.IGNORECASE)
_NOT_ROLE_WORDS = frozenset([
    "a", "an", "the", "why", "how", "what", "when", "who", "every", "your", "our", "my", "is",
    "are", "be", "needs", "need", "to", "for", "of", "with", "and", "or", "become", "becoming",
])


def is_role_line(text: str) -> bool:
    """A writer's role alone on a line: ``Games Editor``, ``Staff writer``."""
    words = text.lower().split()
    return bool(_ROLE_LINE.match(text)) and not _NOT_ROLE_WORDS.intersection(words)


# "LAURIE OAKES IS THE NINE NETWORK POLITICAL EDITOR", "Jane Doe is a staff writer at The Post"
_TAGLINE = re.compile(
    r"^(?:[A-Z][\w.'’-]+ ){2,4}(?i:(?:is (?:a|an|the) (?:[\w&.'’-]+ ){0,5}(?:reporter|editor|"
    r"correspondent|writer|columnist|contributor|critic|journalist)s?\b|"
    r"(?:covers|reports on|writes about) [^.!?]{2,60}\bfor (?:the )?[A-Z]))"
    r"[^.!?]{0,80}\.?(?:\s+(?i:contact|email|reach|follow) (?:him|her|them)\b[^!?]{0,80})?$")


def is_author_tagline(text: str) -> bool:
    """The line that says who the writer is: ``Jane Doe is a staff writer at The Post``."""
    return word_count(text) <= 25 and bool(_TAGLINE.match(text.strip()))


def is_author_contact(text: str) -> bool:
    """An author's contact line: ``Jane Doe is on Twitter at @jane``, ``jane@example.com``,
    ``206-555-0100 or jane@example.com; on Twitter:`` (nothing but ways to reach someone)."""
    if word_count(text) > 16:
        return False
    core = core_text(text).strip("*_")
    if _AUTHOR_CONTACT.search(core):
        return True
    linked = core_text(_MD_LINK.sub(lambda m: f" {m[1]} ", text)).strip("*_")
    core = _CONTACT_NAME.sub("", linked, count=1)
    left = _CONTACT_WORD.sub(" ", _CONTACT_WAY.sub(" ", core))
    return bool(_CONTACT_ID.search(core)) and not re.search(r"\w", left)


# an address, a phone number or a handle, and the words that join them on a contact line
# (an address or a handle must be there: a phone number alone may be a pitch's)
_CONTACT_ID = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+|(?<![\w.])@\w+")
_CONTACT_NAME = re.compile(r"^\s*[A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+){0,3}:\s")  # "Jane Doe: ..."
_CONTACT_WAY = re.compile(rf"{_CONTACT_ID.pattern}|\+?\d[\d ().-]{{6,}}\d")
_CONTACT_WORD = re.compile(
    r"\b(?:or|and|on|at|via|by|email|e-mail|phone|tel|call|twitter|x|instagram|facebook|"
    r"linkedin|mastodon|threads|bluesky)\b", re.IGNORECASE)


# --- furniture that scrapes of whole pages leave (shared by the readers) ---------------------

_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
          r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_WEEKDAY = r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?"
_DATELINE = re.compile(
    rf"^(?:(?:(?:page|article|post) )?(?:updated|published|posted|(?:medically )?reviewed|"
    r"last (?:updated|modified|reviewed))"
    r"(?: on)?\s*[:–—-]?\s+)?"
    r"(?:\d{1,2}[.:]\d{2}\s*[ap]\.?m\.?(?:\s+[A-Z]{2,4})?,?\s+(?=\w))?"  # "9:15 PM CST, Tue ..."
    rf"(?:{_WEEKDAY}\s+)?"
    rf"(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}\.?\s+{_MONTH},?\s+\d{{4}}\.?|"
    rf"(?<=[:\s]){_MONTH},?\s+\d{{4}}|"  # "Last updated: January 2026"
    r"\d{1,2}/\d{1,2}/\d{2,4}|\d{1,2}\.\d{1,2}\.\d{2,4}|\d{4}-\d{2}-\d{2}(?:[T ][\d:.+-]+Z?)?|"
    r"(?=\d{1,2}[.:]\d{2}\s*[ap]\.?m\.?)|"  # or a time alone: "12:00 PM PT" (an update's)
    rf"{_MONTH}\s+\d{{1,2}}(?=,?\s+(?:at\s+)?\d{{1,2}}[.:]\d{{2}}))"  # "March 18 at 12:22 PM"
    r"(?:,?\s*(?:at\s+)?\d{1,2}[.:]\d{2}(?:\s*[ap]\.?m\.?)?(?:\s+[A-Z]{2,4})?)?"
    r"(?:\s+by\s+[\w.'’ -]{2,40})?"  # "... 7:11 AM PST BY THE NEWS DESK"
    r"(?:\s+[–—-]\s+[A-Z][\w.' ]{1,30})?"  # a dateline's place: "... IST - New Delhi"
    # its section ("... in Gadgetry"), or "in" alone where a scrape put the section's link apart
    r"(?:\s+in(?:\s+[A-Z][\w&'’]*(?:\s+[A-Z&][\w&'’]*){0,2})?)?$",
    re.IGNORECASE,
)
_COUNTER = re.compile(
    r"^\d(?:\.\d)? out of \d+(?: stars?)?$|"
    r"^\(?\d[\d,.]*[kKmM]?\)?(?:\s*(?:/\s*5|(?:user |customer |member )?"
    r"(?:stars?|reviews?|ratings?)|photos?|comments?|"
    r"shares?|likes?|views?|votes?|followers?|responses?|saves?|pins?|answers?))?$|"
    r"^(?:reader |user )?comments?\s*\(?\d[\d,]*\)?$|"
    r"^\d[\d,.]*[kKmM]? (?:[a-z]+ ){0,3}(?:made|tried|cooked|rated|saved|liked|shared) "
    r"(?:it|this)\b.{0,3}$|^\d{1,3} of [\d,]+$|"
    r"^(?:word|character) count:?\s*\d[\d,]*$|^\(?\d[\d,]* words\)?$|"
    r"^(?:photo |image |video )?gallery\b.{0,60}?[|:·–-]\s*\d+\s+(?:photos|images|pictures|"
    r"slides|videos)$|"  # "Gallery: Xbox One X | 14 Photos"
    # a recipe card's figures: "Prep Time 5 mins", "Servings 4", "4.9 from 312 votes"
    r"^(?:(?:prep|cook|total|active|inactive|resting|bake) time|servings|serves|yield|makes)"
    r":?\s*\d[\w ./-]{0,20}$|^\d(?:\.\d)? from [\d,]+ (?:votes|ratings|reviews)$",
    re.IGNORECASE,
)
_PHOTO_CREDIT = re.compile(
    r"\b(?:photo|image|picture|video|illustration)s?\s*(?:credit|courtesy|by)\b|\bcredits?:|©|"
    r"\bphotograph(?:y|ed)\s+by\b|"
    r"\b(?:getty images|shutterstock|istock(?:photo)?|unsplash|pexels|adobe stock|alamy)\b|"
    r"\b(?:food|prop) styl(?:ist|ing)\b",
    re.IGNORECASE,
)
_WIDGET = re.compile(
    r"^(?:oops|sorry|uh[- ]oh)\b.{0,12}something went wrong|^please fill (?:out|in) this field|"
    r"\b(?:please,? )?try again(?: later| in a (?:few|couple of) (?:minutes|seconds))?\.?$|"
    r"^retry$|^error\s*[a-z ]{0,30}(?:is required|valid [a-z ]+)$|"
    r"^there (?:is|was) a problem with (?:the )?information submitted|"
    r"^thank you for (?:subscribing|signing up)|something went wrong with your subscription|"
    r"^(?:language|region|country|currency)\s*:\s*[\w ]{2,24}$|"  # a site's picker
    r"^you (?:must|need to|have to) (?:be )?(?:log(?:ged)? ?in|sign(?:ed)? ?in|register(?:ed)?)"
    r"\b.{0,40}\bto (?:(?:leave|post|write|add) a )?(?:comment|post|reply|vote)\b|"
    r"^(?:link )?copied(?: to (?:the )?clipboard)?!?$|^link copied!?$|"
    r"^(?:submitting|loading|sending|saving)(?: \w+){0,3} ?(?:\.\.\.|…)$|"
    r"^select at least one \w+$|^(?:text|font) size:?$|"
    r"^cook mode\b.{0,60}$|"  # a recipe card's switch that keeps the screen on
    r"^(?:was|is|did you find) this (?:\w+ )?helpful\??(?:\s*\(?\d[\d,]*\)?)?$|"  # feedback
    r"^(?:log ?in|sign ?in|sign ?up)(?: or (?:sign ?up|log ?in|register))? to (?:save|rate|comment|"
    r"mark|add|see|read|continue|access|view|keep)\b",
    re.IGNORECASE,
)
_SOCIAL_NETWORK = re.compile(
    r"\b(?:facebook|instagram|twitter|linkedin|tiktok|youtube|pinterest|threads|mastodon|"
    r"social media)\b",
    re.IGNORECASE,
)
_PERSONAL_CONTACT = re.compile(
    r"\b(?:(?:follow|find|connect with|message|dm|reach|contact|join|chat with) (?:me|us)|"
    r"reach out|get in touch|say hi|hit me up|conversation with (?:me|us)|tag (?:me|us|@\w+)|"
    r"(?:want|love|like) to hear from you|dms are open)\b",
    re.IGNORECASE)
_CONTACT_VERB = re.compile(
    r"\b(?:follow|reach out|connect|conversation|message|dm|find (?:me|us)|get in touch|"
    r"contact (?:me|us)|say hi|hit me up)\b",
    re.IGNORECASE,
)


_JUMP_LINK = re.compile(r"^(?:jump|skip|go|scroll|back) to\b", re.IGNORECASE)


def is_jump_link(text: str) -> bool:
    """A link to another part of the page: ``Jump to Recipe``, ``Back to top``."""
    return word_count(text) <= 5 and final_char(text) not in ".!?" and bool(
        _JUMP_LINK.match(text.strip()))


_COPYRIGHT = re.compile(r"^(?:©|\(c\)\s|copyright\b)", re.IGNORECASE)


def is_copyright(text: str) -> bool:
    """A copyright notice: ``© 2005 - 2025 Site LLC. All rights reserved. ...``."""
    return word_count(text) <= 60 and bool(_COPYRIGHT.match(text.strip()))


def is_dateline(text: str) -> bool:
    """A line that is only a date: ``March 27, 2024``, ``10/28/2025``, ``Updated 2024-03-27``,
    ``Mon 23 Nov 2020 04.00 EST``, ``Last modified on Wed 27 Jul 2022 11.29 EDT``."""
    parts = _DATELINE_PARTS.split(core_text(text))
    return word_count(text) <= 24 and all(
        word_count(part) <= 12 and _DATELINE.match(_ON.sub("", part)) for part in parts)


# "on May 2, 2024 at 9:15 AM, updated May 3, 2024": a dateline of two dates
_DATELINE_PARTS = re.compile(r",\s+(?=(?:updated|last updated|modified)\b)|"
                             r"(?<!last)\s+(?=(?:updated|modified)\b)|\s*[|·•]\s*",
                             re.IGNORECASE)
_ON = re.compile(r"^on\s+", re.IGNORECASE)


_IMAGE_VIEWER = re.compile(
    r"^(?:view|open|see|show|expand|enlarge|zoom(?: in)?|click to enlarge)(?: this| the)?"
    r"(?: full)? (?:image|photo|picture|gallery|slideshow)s?(?: in (?:full ?screen|full size))?$|"
    r"^(?:click|tap) to (?:enlarge|expand|zoom)$|^(?:\[\+\] ?)?(?:full ?screen|enlarge)$",
    re.IGNORECASE,
)
_AGE_NOTICE = re.compile(
    r"^this (?:article|story|post|page|piece) (?:is (?:more than|over) \d+ (?:years?|months?) "
    r"old|was (?:published|written) (?:more than )?\d+ (?:years?|months?) ago)\.?$",
    re.IGNORECASE,
)


def is_image_viewer(text: str) -> bool:
    """The control of a picture viewer: ``View image in fullscreen``, ``Click to enlarge``."""
    return word_count(text) <= 7 and bool(_IMAGE_VIEWER.match(core_text(text)))


def is_age_notice(text: str) -> bool:
    """A banner saying how old the article is: ``This article is more than 4 years old``."""
    return word_count(text) <= 14 and bool(_AGE_NOTICE.match(core_text(text)))


def is_counter(text: str) -> bool:
    """A rating, a count or a pager of a widget: ``4.8``, ``(21,002)``, ``15,202 Reviews``,
    ``2,786 Photos``, ``32,418 home cooks made it!``, ``01 of 2,786``."""
    return word_count(text) <= 8 and bool(_COUNTER.match(text.strip()))


def mentions_photo_credit(text: str, limit: int = 12) -> bool:
    """A short line naming a picture's source: ``Photo by Jane Doe``, ``... (Photo Credit:
    Getty Images)``, ``© Studio``, ``Getty Images``; at most ``limit`` words."""
    return word_count(text) <= limit and bool(_PHOTO_CREDIT.search(text))


def is_widget_text(text: str) -> bool:
    """What a page's widgets say: ``Oops! Something went wrong.``, ``Please fill out this
    field.``, ``Retry``, ``ErrorEmail field is required``, ``Thank you for subscribing!``,
    a picker's ``Language: English``."""
    lowered = text.lower()
    if not any(cue in lowered for cue in _WIDGET_CUES):  # most lines: no regex at all
        return False
    return word_count(text) <= 25 and bool(_WIDGET.search(text.strip()))


_WIDGET_CUES = ("oops", "sorry", "uh", "please", "try again", "retry", "error", "problem",
                "thank you", "went wrong", "language", "region", "country", "currency", "log in",
                "login", "sign in", "sign up", "signup", "register", "logged in", "signed in",
                "copied", "submitting", "loading", "sending", "saving", "select at least",
                " size", "helpful", "cook mode")


_VALEDICTION = re.compile(
    r"^(?:yours(?: (?:truly|sincerely|faithfully|always|in (?:health|wellness|good health)))?|"
    r"sincerely(?: yours)?|(?:warm(?:est)?|kind(?:est)?|best|with) (?:regards|wishes)|regards|"
    r"warmly|cheers|all the best|with (?:love|gratitude|thanks)|in (?:good )?health|"
    r"to your (?:good )?health|be well|stay (?:well|healthy|safe)|many thanks|"
    r"thanks(?: for reading)?|thank you(?: for reading)?|until next time|talk soon|"
    r"(?:best|greetings|cheers|love) from [A-Z][\w'’-]+(?: [A-Z][\w'’-]+)?)\s*[,!.\\]*$",
    re.IGNORECASE,
)


def is_valediction(text: str) -> bool:
    """The closing words of a letter before the author's name: ``Yours sincerely,``,
    ``Yours in health,``, ``Warm regards,``, ``Cheers!``."""
    return word_count(text) <= 5 and bool(_VALEDICTION.match(core_text(text).strip("*_ ")))


_LINK_CALL = re.compile(
    r"^(?:listen|watch|read|click|tap|download|view|see|hear|check out|stream|play)\b.{0,60}"
    r"\b(?:here|now|below|above|episode|podcast|video|full (?:article|story|post|interview|"
    r"remarks|statement|report|text|letter|transcript|speech))\b",
    re.IGNORECASE,
)


# "**Read more:** [Another story](...)": a label, then only a link to another page
_READ_MORE_LINK = re.compile(r"^[*_]*(?:read (?:more|also|next)|related|see also|also read|"
                             r"more|recommended|watch)\s*:?[*_]*\s*:?\s*"
                             r"[*_]*\[[^\]]{3,200}\]\([^)\s]{1,2000}\)[*_.]*$", re.IGNORECASE)


def is_read_more_link(markdown: str) -> bool:
    """A line that is a ``Read more:`` (``Related:``, ``See also:``) label and one link."""
    return bool(_READ_MORE_LINK.match(markdown.strip()))


def is_link_call(text: str) -> bool:
    """The text of a link that asks to be followed: ``LISTEN TO THE FULL PODCAST EPISODE
    HERE``, ``Watch the video here``, ``Read the full interview``."""
    return word_count(text) <= 15 and bool(_LINK_CALL.match(core_text(text).strip("*_ ")))


_LIVE_UPDATES = re.compile(r"\b(?:follow |read our )?live updates?\b", re.IGNORECASE)


def is_teaser_link(text: str) -> bool:
    """A link to another story set between an article's paragraphs: ``EXPLAINED | What the
    bill means``, ``Bill | Analysis and explainers``, ``Hearing: Follow LIVE updates``."""
    if word_count(text) > 16 or final_char(text) in ".!;,":
        return False
    if _LIVE_UPDATES.search(text):
        return True
    parts = [p.strip() for p in text.split(" | ")]
    if len(parts) != 2 or not all(parts):
        return False
    label = parts[0].isupper() and word_count(parts[0]) <= 3
    return label or (min(map(word_count, parts)) >= 2 and word_count(text) >= 6)


_HEADER_KEY = re.compile(
    r"^(?:title|content|text|body|article|article text|url|source|author|date|published|"
    r"summary|description|headline)\s*:$",
    re.IGNORECASE,
)


def is_header_key(text: str) -> bool:
    """A scraper's label with its value on the next line: ``Title:``, ``Content:``."""
    return bool(_HEADER_KEY.match(text.strip()))


_DISCLOSURE = re.compile(
    r"\b(?:contains?|may contain|includes?|uses?) (?:some )?affiliate links?\b|"
    r"\bas an amazon associate\b|\bdisclosure policy\b|"
    r"\b(?:we|i) (?:may )?(?:earn|receive|make) (?:a (?:small )?)?(?:commission|compensation)\b|"
    r"\b(?:collect|earn|receive) a share of (?:the )?sales\b",
    re.IGNORECASE)


def is_disclosure(text: str) -> bool:
    """The site's affiliate disclosure: ``This post may contain affiliate links. Please read
    our disclosure policy.``"""
    return word_count(text) <= 60 and bool(_DISCLOSURE.search(text))


def is_separator(text: str) -> bool:
    """A line of one character said over and over (``PPPPP``, ``=====``, ``~~~~``): a
    typesetter's separator, or the end mark of a reprint."""
    text = text.strip()
    return 4 <= len(text) <= 40 and len(set(text)) == 1


_SHARE_ROW = re.compile(
    r"^(?:(?:share|follow|like|find)(?: (?:this|us|me)(?: \w+)?)?(?: (?:on|via))?\s*:?\s+)?"
    r"(?:(?:facebook|twitter|x|linkedin|pinterest|instagram|whatsapp|reddit|tumblr|threads|"
    r"bluesky|mastodon|telegram|flipboard|youtube|tiktok|e-?mail|print|copy link|sms)"
    r"\s*[,|·•/]?\s*){2,}$",
    re.IGNORECASE,
)


def is_share_row(text: str) -> bool:
    """The page's share or follow buttons as words: ``Share: Facebook Twitter LinkedIn
    Email``, ``Follow us: Instagram | TikTok``."""
    return word_count(text) <= 16 and bool(_SHARE_ROW.match(text.strip()))


def is_social_line(text: str) -> bool:
    """Social links and invitations to get in touch: ``Facebook: Shop | Instagram: @shop``,
    ``Reach out to me on social media``, ``... start a conversation with me on facebook``."""
    if word_count(text) > 40:
        return False
    networks = len(_SOCIAL_NETWORK.findall(text))
    if networks and _PERSONAL_CONTACT.search(text):
        return True
    # a sentence of the article may name networks ("Unlike LinkedIn messages, email ...")
    prose = word_count(text) >= 5 and final_char(text) in ".!?"
    return not prose and (networks >= 2 or (networks >= 1 and bool(_CONTACT_VERB.search(text))))
