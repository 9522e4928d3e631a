"""The words `newsletter plan` writes around the article, in the newsletter's language.

What plan writes into issue files besides the article's own text — the welcome's greeting
and "coming up" list, the line that says what comes next and when, the preheader's
"Inside:" and "Also:" — follows ``language`` of newsletter.yaml (its primary subtag: ``de``,
``de-AT`` and ``de-CH`` all read German). English, German, French and Spanish are known;
another language gets English (``known`` tells, so `plan` can say so), and the marketer
words it in the issue files or the studio. The email templates' own words (footer,
labels) live in templates/, which each newsletter folder has its own copy of.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Phrases:
    """One language's phrases (``{…}`` are filled in by the planner)."""

    welcome: str  # {name}
    welcome_unnamed: str  # the greeting when the newsletter has no name
    new_series: str
    coming_up: str  # {often}: how often, from the words below
    every_day: str
    every_week: str
    every_other_week: str
    every_days: str  # {n}
    every_weekdays: str  # {days}: weekday names joined with `and_`
    and_: str
    label: str  # {when} {subject}: "**Next Thursday:** Subject"
    last: str
    tomorrow: str
    next_weekday: str  # {weekday}
    dated: str  # {weekday} {day} {month}
    in_days: str  # {n}
    next: str
    weekdays: tuple[str, ...]
    months: tuple[str, ...]
    inside: str  # {items}
    also: str  # {sentence} {items}
    word_from: str  # {name}
    story: str

    def often(self, every_days: int, weekdays: tuple[int, ...] = ()) -> str:
        """How often the emails come: "every 3 days", "every Monday and Thursday"."""
        if weekdays:
            names = [self.weekdays[d] for d in weekdays]
            days = self.join(names)
            return self.every_weekdays.format(days=days)
        return {1: self.every_day, 7: self.every_week, 14: self.every_other_week}.get(
            every_days, self.every_days.format(n=every_days))

    def join(self, items: list[str]) -> str:
        """"A, B and C" in this language."""
        if len(items) <= 1:
            return "".join(items)
        return ", ".join(items[:-1]) + self.and_ + items[-1]


ENGLISH = Phrases(
    welcome="Welcome to **{name}**, and thank you for signing up.",
    welcome_unnamed="Welcome, and thank you for signing up.",
    new_series="A new series starts today.",
    coming_up="You will get one short email {often}. Coming up:",
    every_day="every day", every_week="every week", every_other_week="every other week",
    every_days="every {n} days", every_weekdays="every {days}", and_=" and ",
    label="**{when}:** {subject}",
    last=("That was the last email of this series: thank you for reading. Reply any time, "
          "we read every answer."),
    tomorrow="Tomorrow", next_weekday="Next {weekday}", dated="{weekday} {day} {month}",
    in_days="In {n} days", next="Next",
    weekdays=("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    months=("January", "February", "March", "April", "May", "June", "July", "August",
            "September", "October", "November", "December"),
    inside="Inside: {items}", also="{sentence} Also: {items}",
    word_from="a word from {name}", story="a reader's story",
)

GERMAN = Phrases(
    welcome="Willkommen bei **{name}**, und danke für Ihre Anmeldung.",
    welcome_unnamed="Willkommen, und danke für Ihre Anmeldung.",
    new_series="Heute beginnt eine neue Serie.",
    coming_up="Sie bekommen {often} eine kurze E-Mail. Demnächst:",
    every_day="jeden Tag", every_week="jede Woche", every_other_week="alle zwei Wochen",
    every_days="alle {n} Tage", every_weekdays="jeden {days}", and_=" und ",
    label="**{when}:** {subject}",
    last=("Das war die letzte E-Mail dieser Serie: danke fürs Lesen. Antworten Sie "
          "jederzeit, wir lesen jede Antwort."),
    tomorrow="Morgen", next_weekday="Nächsten {weekday}", dated="{weekday}, {day}. {month}",
    in_days="In {n} Tagen", next="Als Nächstes",
    weekdays=("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag",
              "Sonntag"),
    months=("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
            "September", "Oktober", "November", "Dezember"),
    inside="Inhalt: {items}", also="{sentence} Außerdem: {items}",
    word_from="ein Wort von {name}", story="eine Leserstimme",
)

FRENCH = Phrases(
    welcome="Bienvenue dans **{name}**, et merci de votre inscription.",
    welcome_unnamed="Bienvenue, et merci de votre inscription.",
    new_series="Une nouvelle série commence aujourd'hui.",
    coming_up="Vous recevrez un court e-mail {often}. À venir :",
    every_day="chaque jour", every_week="chaque semaine",
    every_other_week="toutes les deux semaines", every_days="tous les {n} jours",
    every_weekdays="chaque {days}", and_=" et ",
    label="**{when} :** {subject}",
    last=("C'était le dernier e-mail de cette série : merci de nous avoir lus. Répondez "
          "quand vous voulez, nous lisons chaque réponse."),
    tomorrow="Demain", next_weekday="{weekday} prochain", dated="{weekday} {day} {month}",
    in_days="Dans {n} jours", next="Ensuite",
    weekdays=("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    months=("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
            "septembre", "octobre", "novembre", "décembre"),
    inside="Au sommaire : {items}", also="{sentence} Aussi : {items}",
    word_from="un mot de {name}", story="le témoignage d'un lecteur",
)

SPANISH = Phrases(
    welcome="Te damos la bienvenida a **{name}**, y gracias por suscribirte.",
    welcome_unnamed="Te damos la bienvenida, y gracias por suscribirte.",
    new_series="Hoy empieza una nueva serie.",
    coming_up="Recibirás un correo breve {often}. Próximamente:",
    every_day="cada día", every_week="cada semana", every_other_week="cada dos semanas",
    every_days="cada {n} días", every_weekdays="cada {days}", and_=" y ",
    label="**{when}:** {subject}",
    last=("Este fue el último correo de esta serie: gracias por leer. Responde cuando "
          "quieras, leemos todas las respuestas."),
    tomorrow="Mañana", next_weekday="El próximo {weekday}", dated="{weekday} {day} de {month}",
    in_days="En {n} días", next="A continuación",
    weekdays=("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
    months=("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
            "septiembre", "octubre", "noviembre", "diciembre"),
    inside="En este número: {items}", also="{sentence} Además: {items}",
    word_from="unas palabras de {name}", story="la historia de un lector",
)

LANGUAGES = {"en": ENGLISH, "de": GERMAN, "fr": FRENCH, "es": SPANISH}


def primary(language: str) -> str:
    """The primary subtag of a BCP 47 tag, lowercased ("de-AT" -> "de")."""
    return language.replace("_", "-").split("-")[0].strip().lower()


def known(language: str) -> bool:
    """True when plan writes its own words in ``language``."""
    return primary(language) in LANGUAGES


def phrases_for(language: str) -> Phrases:
    """The phrases of ``language`` (English for a language not known)."""
    return LANGUAGES.get(primary(language), ENGLISH)


def capital(text: str) -> str:
    """The first letter upper case (a label starting with "jeudi" reads "Jeudi")."""
    return text[:1].upper() + text[1:]
