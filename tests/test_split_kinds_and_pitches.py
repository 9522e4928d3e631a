"""split: kinds that mean something, calls to action found as an editor finds them, and the
titles and merges that keep every heading where a reader expects it."""

from __future__ import annotations

from test_split import doc, heading, para, words

from newsletter.content.split import split
from newsletter.content.titles import gist
from newsletter.models import Block, Content


def listing(*items: str, lead: str = "", ordered: bool = False, line: int = 10) -> Block:
    lines = tuple(range(line, line + len(items) + bool(lead)))
    return Block("list", items=items, lead=lead, ordered=ordered, lines=lines)


def kinds(content) -> list[str]:
    return [s.kind for s in content.snippets]


def test_instructions_in_sequence_are_steps_and_advice_bullets_are_a_list() -> None:
    content = split(doc(
        heading("Calf stretch", 1),
        listing("Stand facing a wall", "Step one foot back", "Hold for 30 seconds",
                "Repeat three times", line=2),
        heading("Good habits", 7),
        listing("Water matters more than most people think, so carry a bottle all day",
                "Sleep is when the body repairs the damage of the day before it",
                "Sunlight in the morning sets the clock that decides when you feel tired",
                line=8),
    ))
    assert kinds(content) == ["steps", "list"]
    assert "instructions in sequence" in content.snippets[0].reason


def test_a_list_introduced_as_instructions_and_a_step_heading_are_steps() -> None:
    content = split(doc(
        heading("Rose cooler", 1), para(words(30), 2),
        listing("Fill a glass with ice.", "Pour in the liqueur.", "Top with soda.",
                lead="Instructions:", line=3),
        heading("Step 2: Let it rest", 8), para("Leave the dough covered for an hour. "
                                                 + words(35), 9),
    ))
    assert kinds(content) == ["steps", "steps"]


def test_fact_only_where_research_is_cited() -> None:
    content = split(doc(
        heading("Numbers", 1), para("About 40% of people sleep badly in winter. " + words(40), 2),
        heading("Findings", 3), para("A 2019 study of 2,000 adults found the same. "
                                     + words(40), 4),
    ))
    assert kinds(content) == ["tip", "fact"]


def test_a_closing_invitation_is_cut_out_as_the_cta_with_its_sign_off() -> None:
    closing = ("Knee pain can rob us of the joys of life. Start these exercises slowly. "
               "You should contact us for guidance on your recovery. You will be back on "
               "your feet in no time!")
    content = split(doc(heading("Exercises", 1), para(words(120), 2),
                        heading("The road to recovery", 3), para(closing, 4)))
    cta = [s for s in content.snippets if s.kind == "cta"]
    assert len(cta) == 1 and cta[0].body.startswith("You should contact us")
    assert cta[0].body.endswith("in no time!")
    advice = next(s for s in content.snippets if "Start these exercises slowly." in s.body)
    assert advice.kind != "cta" and "contact us" not in advice.body


def test_contact_details_after_a_closing_pitch_stay_with_it() -> None:
    content = split(doc(
        heading("Ankle care", 1), para(words(60), 2),
        heading("How we can help", 3), para(words(50), 4),
        para("Still sore after a week? Let's find out what is going on!", 5),
        para("Contact us:", 6),
        para("[Harbour Physio](https://physio.example) | Leith, Edinburgh | Dr. Ana Ruiz", 7),
        para("0131 555 0100 | [Book a visit](https://physio.example/book)", 8),
    ))
    pitch = [s for s in content.snippets if s.kind == "cta"]
    assert len(pitch) == 1
    assert "Leith, Edinburgh" in pitch[0].body and "0131 555 0100" in pitch[0].body
    assert pitch[0].lines == (5, 6, 7, 8)


def test_advice_that_sends_the_reader_elsewhere_or_sounds_salesy_is_no_cta() -> None:
    content = split(doc(
        heading("When to get help", 1),
        para("If the pain lasts, contact your health care provider. Book an appointment with "
             "your doctor today. " + words(30), 2),
        heading("Saving money", 3),
        para("Buy it in bulk when there is a discount, and check the guarantee. " + words(30), 4),
        heading("Tools", 5),
        para("See [the guide](https://widget-pro.example.com/guide) for more. " + words(30), 6),
    ), products=["Widget Pro"])
    assert "cta" not in kinds(content)


def test_the_authors_wish_to_do_something_is_no_invitation_to_the_reader() -> None:
    closing = para("We'd love to pass these parts through a full lab test, but that is "
                   "beyond this article. " + words(30), 4)
    content = split(doc(heading("Tearing it down", 1), para(words(60), 2),
                        heading("What we found", 3), closing))
    assert "cta" not in kinds(content)
    invited = split(doc(heading("Tearing it down", 1), para(words(60), 2),
                        heading("What we found", 3),
                        para(words(30) + ". We would love to hear from you about yours.", 4)))
    assert "cta" in kinds(invited)


def test_an_article_whose_title_names_the_product_is_not_one_big_cta() -> None:
    document = doc(para("The Widget Pro makes mornings calm. " + words(60), 1),
                   heading("How it works", 2), para(words(60), 3))
    document = type(document)(title="Why we love the Widget Pro", source="x.txt",
                              blocks=document.blocks)
    assert "cta" not in kinds(split(document, products=["Widget Pro"]))


def test_a_link_that_asks_the_reader_to_act_is_kept_as_a_cta() -> None:
    content = split(doc(heading("Diabetes", 1), para(words(60), 2),
                        para("[Request an appointment](https://clinic.example/appointments)", 3),
                        para(words(60), 4)))
    cta = [s for s in content.snippets if s.kind == "cta"]
    assert len(cta) == 1 and "Request an appointment" in cta[0].body
    assert not any(d.line == 3 for d in content.dropped)


def test_a_list_of_the_articles_own_headings_is_a_table_of_contents() -> None:
    content = split(doc(
        heading("Sleep", 1), para(words(50), 2),
        listing("Why you feel tired", "Your internal clock", "How to fall asleep", line=3),
        heading("Why You Feel Tired", 6), para(words(50), 7),
        heading("Your Internal Clock", 8), para(words(50), 9),
        heading("How to Fall Asleep", 10), para(words(50), 11),
    ))
    reasons = {d.line: d.reason for d in content.dropped}
    assert all("table of contents" in reasons[n] for n in (3, 4, 5))
    assert all("Why you feel tired" not in s.body for s in content.snippets)


def test_a_short_sections_list_of_phrases_stays_a_list_when_merged_under_its_parent() -> None:
    content = split(doc(
        heading("Starter", 1), para(words(60), 2),
        heading("What You Need", 3, 3),
        listing("500 g whole-wheat or rye flour", "Filtered water at 24-26 °C",
                "A 1-litre glass jar with a loose lid", line=4),
    ))
    merged = next(s for s in content.snippets if "What You Need" in s.section)
    assert "- 500 g whole-wheat or rye flour\n- Filtered water at 24-26 °C\n" in merged.body
    assert " · " not in merged.body


def test_text_a_scrape_repeated_is_dropped_the_second_time() -> None:
    sentence = "Roots need air as much as they need water, and soggy soil has none."
    content = split(doc(heading("Roots", 1), para(sentence + " " + words(40), 2),
                        para(sentence + " " + words(40), 3)))
    assert sum(sentence in s.body for s in content.snippets) == 1
    assert [d.line for d in content.dropped if "duplicated" in d.reason] == [3]


def test_a_list_given_again_nearly_word_for_word_is_dropped_the_second_time() -> None:
    items = ["2 cups zucchini, diced (about 3 medium)", "1 cup onion, diced (about 1 large)",
             "1 red bell pepper, seeded and diced", "2 tablespoons pickling salt"]
    card = [*items, "salt to taste"]
    content = split(doc(heading("Zucchini Relish", 1), para(words(60), 2),
                        heading("Ingredients", 3, 2), listing(*items, line=4),
                        heading("Recipe card", 9, 2), para(words(40), 10),
                        listing(*card, line=11)))
    bodies = "\n".join(s.body for s in content.snippets)
    assert bodies.count("1 red bell pepper, seeded and diced") == 1
    assert [d.line for d in content.dropped if d.reason.startswith("repeated_list")] == [
        11, 12, 13, 14, 15]


def test_short_list_sections_merge_with_their_headings_as_bold_leads() -> None:
    content = split(doc(
        heading("Timeline", 1), para(words(60), 2),
        heading("Week 1", 3, 3), listing("Rest", "Ice the heel", "Stretch gently", line=4),
        heading("Week 2", 7, 3), listing("Walk more", "Keep stretching", line=8),
    ))
    merged = next(s for s in content.snippets if "Weeks" in s.title)
    assert merged.title == "Timeline: Weeks 1–2"  # headings that only number, as a range
    assert merged.section == "Timeline > Week 1 and Week 2"
    assert "**Week 1:** Rest · Ice the heel · Stretch gently" in merged.body
    assert "\n\n**Week 2:** Walk more · Keep stretching" in merged.body


def test_titles_from_a_sentence_skip_openers_and_never_end_mid_phrase() -> None:
    assert gist("In other words, each article should reach a great depth of detail.") == (
        "Each article should reach a great depth of detail")
    assert gist("So next time you are in the mood for a cocktail, grab a bottle.").startswith(
        "Next time you are in the mood")
    assert gist("If your stress system is switched on, your body stays alert all night.") == (
        "Your body stays alert all night")
    assert gist("Look, nobody enjoys the first cold ride of the year.") == (
        "Nobody enjoys the first cold ride of the year")
    assert gist("According to the coach, as the days get shorter, most runners train less.") == (
        "Most runners train less")
    long = gist("Search engines also look at how often you publish about a specific topic "
                "over the course of many months and years")
    assert len(long) <= 70 and not long.endswith((" a", " about", " of", " the"))


def test_a_title_cut_from_a_quotation_leaves_no_quote_mark_or_bracket_open() -> None:
    quoted = gist("“Running every day for a month straight changed my life completely,” says "
                  "Anna, who has run the club in town every weekend since it opened.")
    assert quoted == "Running every day for a month straight changed my life completely"
    bracketed = gist("Most runners (and nearly every beginner who starts in the cold months of "
                     "the year) skip the warm-up entirely.")
    assert bracketed.count("(") == bracketed.count(")") and len(bracketed) <= 70
    assert gist("Don’t skip the warm-up.") == "Don’t skip the warm-up"


def test_a_plans_stage_and_a_listicles_number_stay_in_their_snippets_titles() -> None:
    content = split(doc(
        heading("Week 1: Find your route", 1), para(words(60), 2),
        heading("3. Ride two days", 3), para(words(60), 4),
        heading("Tip 4: Arrive fresh", 5), para(words(60), 6),
    ))
    assert [s.title for s in content.snippets] == [
        "Week 1: Find your route", "3. Ride two days", "Tip 4: Arrive fresh"]
    assert content.snippets[1].section == "3. Ride two days"  # the path keeps it as written


def test_steps_numbered_inside_a_paragraph_are_steps() -> None:
    routine = ("Set up your bike so nothing stands between you and leaving. Step 1: fit "
               "mudguards. Step 2: fit lights that charge by USB. Step 3: check the tyres "
               "every Sunday. Step 4: keep a spare tube in the saddle bag.")
    content = split(doc(heading("Make it routine", 1), para(routine, 2)))
    assert kinds(content) == ["steps"]
    assert "steps numbered in the text" in content.snippets[0].reason


def test_a_closing_section_that_invites_the_reader_to_join_is_the_cta_under_its_heading() -> None:
    content = split(doc(
        heading("Commuting by bike", 1), para(words(150), 2),
        heading("Ride with us", 3),
        para("Nervous about traffic? Join our free Saturday group ride for new commuters. "
             "[Sign up for a ride](https://rides.example/new)", 4),
    ))
    assert kinds(content) == ["tip", "cta"]
    assert content.snippets[1].title == "Ride with us"


def test_short_numbered_step_sections_merge_into_one_steps_snippet_named_by_their_parent() -> None:
    actions = ["Buy shoes that fit", "Walk before you run", "Add short intervals",
               "Increase slowly", "Rest on purpose"]
    blocks = [heading("How to start running", 1), para(words(60), 2),
              heading("The starter plan", 2, level=2)]
    for n, action in enumerate(actions, 1):
        blocks += [heading(f"{n}) {action}", 10 * n, level=3), para(words(16), 10 * n + 1)]
    blocks += [heading("Why beginners get hurt", 90, level=2), para(words(80), 91)]
    content = split(doc(*blocks))
    plan = next(s for s in content.snippets if "Buy shoes" in s.body)
    assert plan.title == "The starter plan" and plan.kind == "steps"
    # every step is in it, in order, each opening with its heading in bold
    positions = [plan.body.index(f"**{a}:**") for a in actions]
    assert positions == sorted(positions)


def test_short_sibling_sections_merge_when_the_first_opens_with_a_bold_label_of_its_own() -> None:
    content = split(doc(
        heading("Making stretches a habit", 1), para(words(90), 2),
        heading("Timing recommendations", 3, 3), para(f"**Morning routine:** {words(50)}", 4),
        heading("Creating reminders", 5, 3), listing("Phone alarms", "Sticky notes", line=6),
        heading("Common causes of neck pain at work", 9, 2), para(words(90), 10),
    ))
    merged = next(s for s in content.snippets if "Morning routine" in s.body)
    assert merged.title == "Timing recommendations and Creating reminders"
    # the first opens the body with its own label; the second's heading leads its text
    assert merged.body.startswith("**Morning routine:**")
    assert "**Creating reminders:** Phone alarms · Sticky notes" in merged.body


def test_a_faqs_short_introduction_opens_its_first_question_not_a_snippet_of_its_own() -> None:
    content = split(doc(
        heading("Intermittent fasting", 1), para(words(175), 2),  # too long to take it in
        heading("Frequently asked questions", 3), para(words(11), 4),
        Block("question", text="Can I drink coffee while fasting?", lines=(5,), level=3),
        para(words(30), 6),
        Block("question", text="Will fasting make me lose muscle mass over the months?",
              lines=(7,), level=3), para(words(30), 8),
    ))
    first = next(s for s in content.snippets if "coffee" in s.title)
    assert first.kind == "faq" and first.title == "Can I drink coffee while fasting?"
    assert first.body.startswith("Word") and "**Can I drink coffee while fasting?**" in first.body
    assert not any(s.words < 15 for s in content.snippets)


def test_a_short_line_between_two_closing_pitches_is_part_of_the_pitch() -> None:
    content = split(doc(
        heading("Neck care", 1), para(words(150), 2),
        heading("Take action", 3),
        para("Book an assessment with our team today and get a plan made for you.", 4),
        para("Your neck carries a lot, so give it the care it deserves.", 5),
        para("Start with these four stretches today and book your visit now.", 6),
    ))
    assert [s.kind for s in content.snippets].count("cta") == 1
    pitch = next(s for s in content.snippets if s.kind == "cta")
    assert "Your neck carries a lot" in pitch.body and "book your visit" in pitch.body


def test_a_short_introduction_and_its_one_procedure_merge_under_both_headings_as_steps() -> None:
    steps = ("Stand with your feet together and your weight spread evenly over both feet",
             "Lift your chest and let your shoulders drop away from your ears slowly",
             "Reach the crown of your head up while your chin stays level with the floor",
             "Breathe slowly through your nose and hold the pose for five full breaths")
    content = split(doc(
        heading("Twelve poses", 1), para(words(175), 2),  # too long to take the pose in
        heading("1. Mountain Pose", 3, level=2), para(words(25), 4),
        heading("How to practice", 5, level=3), listing(*steps, ordered=True, line=6),
        heading("2. Tree Pose", 11, level=2), para(words(120), 12),
    ))
    pose = next(s for s in content.snippets if "Stand with your feet" in s.body)
    assert pose.title == "1. Mountain Pose: How to practice" and pose.kind == "steps"
    assert pose.body.startswith("Word")  # the introduction, then the steps


def test_encouragement_to_start_today_is_advice_and_booking_today_is_a_pitch() -> None:
    content = split(doc(
        heading("Emergency funds", 1), para(words(150), 2),
        heading("Your next step", 3),
        para("**Start today.** Even if it is just $20, every fund starts with one deposit.", 4),
        para(words(40), 5),
    ))
    assert not any(s.kind == "cta" for s in content.snippets)
    booked = split(doc(heading("Emergency funds", 1), para(words(150), 2),
                       heading("Your next step", 3),
                       para("Book your free planning session with our team today.", 4)))
    assert any(s.kind == "cta" for s in booked.snippets)


def test_every_part_of_a_long_walkthrough_with_commands_is_steps() -> None:
    blocks = [heading("Example 1: Amend a shared change", 1)]
    for n in range(4):
        blocks += [para(words(70), 10 * n + 2),
                   Block("code", text=f"$ hg commit --amend -m 'fix {n}'", lines=(10 * n + 3,))]
    content = split(doc(*blocks))
    assert len(content.snippets) >= 2
    assert {s.kind for s in content.snippets} == {"steps"}


def test_a_numbered_exercise_like_its_sibling_procedures_is_steps_and_a_tip_list_is_not() -> None:
    """1.-3. are drills written the same way; the one whose items are a little longer and
    lack timing cues is a procedure too, because its items are instructions."""
    drills = [("1. Glide steps", ["Loop the band round your ankles", "Step wide to the left",
                                  "Bring the right foot in", "Repeat ten times"]),
              ("2. Wall press", ["Stand an arm's length from the wall", "Press both palms flat",
                                 "Hold for 20 seconds", "Repeat three times"]),
              ("3. Floor glide", ["Lie flat on your back with your legs together on the mat",
                                  "Bend the other knee and keep that foot flat on the floor",
                                  "Slowly and gently raise the straight leg a hand's width up",
                                  "Lower the leg back down to the floor without a jolt"])]
    blocks = [heading("Three drills", 1)]
    for number, (title, items) in enumerate(drills):
        line = 10 + number * 10
        blocks += [heading(title, line, level=2), para(words(35), line + 1),
                   listing(*items, line=line + 2)]
    blocks += [heading("4. Good habits", 50, level=2), para(words(35), 51),
               listing("Water matters more than most people think, so carry a bottle",
                       "Sleep is when the body repairs the damage of the day",
                       "Sunlight in the morning sets the clock of the day", line=52)]
    content = split(doc(*blocks))
    by_title = {s.title: s for s in content.snippets}
    assert by_title["3. Floor glide"].kind == "steps"
    assert "numbered siblings" in by_title["3. Floor glide"].reason
    assert by_title["4. Good habits"].kind != "steps"


def one_section(title: str, *blocks: Block) -> Content:
    """The split of an article of a 150-word introduction and one section, ``title``."""
    return split(doc(heading("An article", 1), para(words(150), 2), heading(title, 3), *blocks))


def test_a_heading_that_tells_the_reader_to_get_something_right_is_advice_not_an_offer() -> None:
    advice = one_section(
        "Get Your Screen at Eye Level",
        para("The top of the screen sits at eye level. A stack of books works as a stand. "
             "Add a $20 keyboard so your wrists stay straight.", 4),
        para(words(40), 5),
    )
    assert not any(s.kind == "cta" for s in advice.snippets)
    offer = one_section(
        "Get Your Free Desk Checklist",
        para("Download the checklist and join 12,000 readers: [Get it](https://example.org/c).", 4),
    )
    assert any(s.kind == "cta" for s in offer.snippets)


def test_a_numbered_protocol_of_labelled_instructions_is_steps() -> None:
    content = one_section(
        "Recover Right: Rehab & Return-to-Run Protocols",
        listing("**Immediate care:** Rest, ice and compress the joint for two days.",
                "**Seek expert input:** Get an assessment if pain persists past a week.",
                "**Stepwise return:** Begin with a run-walk plan of one minute each.",
                "**Reload gradually:** Resume your plan at the last week's workload.",
                ordered=True, line=4),
    )
    assert next(s for s in content.snippets if "Protocols" in s.title).kind == "steps"


def test_a_question_that_sets_up_a_link_to_join_is_the_pitch() -> None:
    content = one_section(
        "Next step",
        para("Want help spotting risk spikes before they turn into injuries? "
             "[Join the 26weeks.ai waitlist](/waitlist).", 4),
    )
    assert next(s for s in content.snippets if s.title == "Next step").kind == "cta"


def test_a_closing_invitation_to_read_the_companys_full_report_is_the_pitch() -> None:
    content = one_section(
        "Explore this year's report",
        para("Read the full [2024 Global Survey Report](https://example.org/survey) for more "
             "insights on security and developer experience.", 4),
    )
    assert content.snippets[-1].kind == "cta"
    study = one_section(
        "Where to learn more",
        para("Read the full study in the journal, which the authors published last spring.", 4),
    )
    assert not any(s.kind == "cta" for s in study.snippets)


def test_a_gist_title_is_not_cut_inside_a_series_or_before_the_object_of_a_verb() -> None:
    series = ("A keyword, phrase, or term, is not a prisoner to a single concept and can carry "
              "many meanings across a site.")
    assert gist(series) == "A keyword, phrase, or term, is not a prisoner"
    clause = ("Tools and platforms such as topicseed are here to help you find new topics that "
              "fit your site.")
    assert gist(clause) == "Tools and platforms such as topicseed are here"


def test_setup_steps_command_bullets_a_list_and_a_case_study_is_no_cited_fact() -> None:
    content = split(doc(
        heading("Cold email", 1), para(words(150), 2),
        heading("Setting Up Your Domain for Deliverability", 3),
        listing("**Buy a secondary domain.** Never send cold outreach from your main domain.",
                "**Set up SPF, DKIM and DMARC.** These records prove you may send from it.",
                "**Warm up the inbox.** Start with a few emails a day and increase slowly.",
                ordered=True, line=4),
        heading("Writing Subject Lines", 8),
        listing("Use the recipient's company name", "Ask a genuine question",
                "Reference a trigger event", "Avoid capitals and punctuation", line=9),
        heading("Following Up", 14),
        para("Each follow-up should add something new: a case study, a relevant article, or a "
             "different angle on the problem. " + words(150), 15),
    ))
    kinds = {s.title: s.kind for s in content.snippets}
    assert kinds["Setting Up Your Domain for Deliverability"] == "steps"
    assert kinds["Writing Subject Lines"] == "list"
    assert kinds["Following Up"] == "tip"


def test_a_short_closing_paragraph_that_asks_the_reader_and_ends_in_the_pitch_is_the_pitch(
) -> None:
    from newsletter.content.ingest import read_markdown_article
    from newsletter.content.split import split

    para = ("The pond behind the mill fills every spring, and the families who keep it clear "
            "the reeds by hand before the herons come back to nest.")
    text = (f"# The Mill Pond\n\n{para}\n\n## Clearing the reeds\n\n{para} {para}\n\n"
            f"## Help us grow\n\n{para}\n\nWould you like to help keep the pond clear? The trust "
            "invites partners to pick up half the costs. Get in touch with Mara "
            "[today!](https://example.org/partners)\n")
    content = split(read_markdown_article(text, "pond.md"))
    cta = next(s for s in content.snippets if s.kind == "cta")
    assert cta.body.startswith("Would you like to help keep the pond clear?")


def test_closing_goods_offered_on_a_marketplace_are_the_cta() -> None:
    shop = ("If you want to keep track of your budget, Penny Sheets has budget planner "
            "templates on Etsy that help you see progress.")
    content = split(doc(heading("Budgets", 1), para(words(120), 2), heading("This Week", 3),
                        para("Write down every purchase for seven days, even the small "
                             "ones. " + shop, 4)))
    cta = next(s for s in content.snippets if s.kind == "cta")
    assert cta.body == shop
    assert all("Write down every purchase" not in s.body for s in content.snippets
               if s.kind == "cta")


def test_a_closing_list_the_clinic_offers_goes_with_its_pitch() -> None:
    offer = Block("list", lines=(5, 6, 7), lead="Severe pain needs a proper look. Our "
                  "downtown physio team can:", items=("Assess your back", "Plan your care"))
    content = split(doc(heading("Exercises", 1), para(words(120), 2),
                        heading("When to Get Help", 3), offer,
                        para("Contact our clinic today to book a visit.", 8)))
    cta = [s for s in content.snippets if s.kind == "cta"]
    assert len(cta) == 1 and "Our downtown physio team can:" in cta[0].body
    assert "- Assess your back" in cta[0].body and "book a visit" in cta[0].body


def test_the_writer_starting_somewhere_is_no_offer_but_a_start_here_button_is() -> None:
    from newsletter.content.pitch import pitches

    assert pitches("I don’t know much, so I better start here.", (), True) == ""
    assert "offer" in pitches("Ready? [Start here](https://example.org/start).", (), True)


def test_a_closing_section_headed_come_and_join_us_is_the_pitch() -> None:
    content = one_section(
        "Come and join us!",
        para("Whatever you write today, there is something here for you. If you want safer "
             "code, it is time for you to see if this will be your next favourite tool!", 4),
    )
    assert content.snippets[-1].kind == "cta"
    assert "its heading invites" in content.snippets[-1].reason


def test_a_set_up_question_opens_the_closing_pitch_it_leads_to() -> None:
    content = one_section(
        "Help us grow",
        para(words(50), 4),
        para("Would you like to help the project reach more towns? The foundation invites "
             "partners to pick up half of the costs. Get in touch with Jill today!", 5),
    )
    pitch = [s for s in content.snippets if s.kind == "cta"]
    assert len(pitch) == 1 and pitch[0].body.startswith("Would you like to help")


def test_a_story_about_our_team_members_is_no_invitation() -> None:
    content = one_section(
        "It is about people",
        para("We found that engagement is higher for human stories. We got a warm response "
             "to a story about one of our team members building a ramp for a neighbour. "
             + words(30), 4),
    )
    assert not any(s.kind == "cta" for s in content.snippets)


def test_buying_things_in_a_story_is_no_offer_but_a_way_to_book_is() -> None:
    from newsletter.content.pitch import pitches

    assert pitches("You'll earn enough cash to buy all of them well before the end.", (),
                   True) == ""
    assert "offer" in pitches("Head over to the [patient centre to book](https://example.org/b).",
                              (), True)
    assert "offer" in pitches("Click here to book your first visit.", (), True)


def test_a_gist_title_never_ends_on_a_word_that_asks_for_more() -> None:
    from newsletter.content.titles import gist

    assert gist("Prototyping pond pumps can be challenging due to the strict rules on water "
                "that other countries would happily skip.") == (
        "Prototyping pond pumps can be challenging")
    assert gist("Rain gardens are still relatively new, which means that the pool of local "
                "contractors is smaller than for lawns or beds.") == (
        "Rain gardens are still relatively new")


def test_a_launch_reported_as_going_on_sale_is_news_but_on_sale_now_pitches() -> None:
    def closing_kind(sentence: str) -> str:
        content = split(doc(heading("The new sedan", 1), para(words(80), 2),
                            heading("Safety", 3), para(words(80), 4),
                            para(sentence + " " + words(20), 5)))
        return next(s.kind for s in content.snippets if sentence in s.body)

    assert closing_kind("The sedan is set to go on sale in the US in late January.") != "cta"
    assert closing_kind("Our winter boots are on sale now, so grab a pair today.") == "cta"


def test_a_method_told_in_paragraphs_under_a_how_to_heading_is_steps_in_every_part() -> None:
    method = ["Making the relish starts with washing and dicing the vegetables, all of them.",
              "Combine the zucchini, onion and pepper in a bowl and sprinkle salt over them.",
              "Allow the vegetables to stand in the brine for two hours, then drain them well.",
              "After the vegetables have drained, prepare a water bath canner for the jars.",
              "In a separate pot, combine the sugar, spices and vinegar and bring to a simmer.",
              "Pack the hot relish into prepared jars, leaving half an inch of headspace."]
    blocks = [heading("Zucchini Relish", 1), para(words(60), 2), heading("How to Make It", 3)]
    blocks += [para(f"{sentence} {words(30)}", 4 + n) for n, sentence in enumerate(method)]
    content = split(doc(*blocks, heading("Storing", 20), para(words(60), 21)))
    parts = [s for s in content.snippets if s.section == "How to Make It"]
    assert len(parts) >= 2 and {s.kind for s in parts} == {"steps"}
    assert next(s.kind for s in content.snippets if s.section == "Storing") != "steps"


def test_a_heading_over_procedures_introduces_them_as_steps() -> None:
    content = split(doc(
        heading("Cinnamon Rolls", 1), para(words(60), 2),
        heading("How the Rolls Are Made", 3, 2), para("Before you begin, read the schedule. "
                                                      + words(40), 4),
        heading("Mix the Dough", 5, 3), listing("Add the flour", "Mix in the starter",
                                                "Knead for ten minutes", line=6),
        heading("Shape the Rolls", 9, 3), listing("Roll the dough out", "Spread the filling",
                                                  "Cut eight rolls", line=10),
    ))
    intro = [s for s in content.snippets if s.section == "How the Rolls Are Made"]
    assert intro[0].kind == "steps"


def test_an_exercise_of_instructions_with_one_count_is_steps() -> None:
    content = split(doc(
        heading("Knee exercises", 1), para(words(60), 2),
        heading("2. Single-Leg Deadlift", 3, 2), para("The deadlift asks your muscles to "
                                                      "balance you.", 4),
        listing("Stand on a single leg with the knee slightly bent",
                "Reach forward and down towards the ground",
                "The foot in the air rises as you go forward",
                "Maintain knee control and reach down as far as you can",
                "Slowly stand back up, repeat 5 times for each leg", line=5),
    ))
    assert next(s.kind for s in content.snippets if "Deadlift" in s.title) == "steps"
