"""Demo complaints about non-HR data from the EU, UK and Switzerland: the DPF route."""

from casetracker.demo.scenario import (
    ack,
    advice,
    assign,
    case,
    escalate,
    hold,
    note,
    redirect,
    reopen,
    resolve,
)

CASES = (
    case(
        "complaint EU marketing",
        ("Camille Laurent", "FR"),
        "Still receives our product newsletter in French and German although she unsubscribed "
        "from both in September; asks why the unsubscribe link did not work.",
        days_ago=1.2,
        priority="low",
    ),
    case(
        "complaint EU website",
        ("Giulia Romano", "IT"),
        "Says our cookie banner sets analytics and advertising cookies before she clicks anything, "
        "and that 'Reject all' is hidden behind a second screen.",
        days_ago=14,
        priority="high",
        channel="email",
    ),
    case(
        "complaint EU platform",
        ("Hannah Schmidt", "DE"),
        "An online shop running on our platform sent her order history to a 'loyalty partner' "
        "she never heard of; she writes to us because our name is in the shop's footer.",
        days_ago=3,
        owner="priya",
    ),
    case(
        "complaint EU marketing",
        ("Jan de Vries", "NL"),
        "Objects to being profiled for targeted ads after downloading a whitepaper and asks "
        "which audience segments he was put in.",
        days_ago=20,
        steps=(
            assign(0.3, "tomasz"),
            ack(1.1),
            note(6, "Pulled the ad-platform audiences: his address is in two retargeting lists."),
        ),
    ),
    case(
        "complaint EU website",
        ("Katarzyna Wiśniewska", "PL"),
        "Deleted her account in the summer, but her forum profile and posts are still public and "
        "the deletion confirmation never arrived.",
        days_ago=52,
        owner="samuel",
        priority="high",
        steps=(
            ack(2.9),
            note(30, "Engineering confirms the deletion job skipped forum profiles; fix planned."),
        ),
    ),
    case(
        "complaint EU website",
        ("Sofia Lindqvist", "SE"),
        "Says a tracking pixel in our password-reset email reports to an ad network when she "
        "opens it.",
        days_ago=25,
        owner="aiko",
        steps=(
            ack(1.8),
            hold(9, "Waiting for the screenshots of the tracking requests she describes."),
        ),
    ),
    case(
        "complaint EU marketing",
        ("Matteo Bianchi", "IT"),
        "Registered for our Milan customer event and was then cold-called by a sponsor; nobody "
        "told him his details would be shared.",
        days_ago=70,
        owner="priya",
        steps=(
            ack(1),
            resolve(38, "not_upheld", "Sponsor sharing was explained on the sign-up page."),
            reopen(45, "He had ticked 'no partners'; the export ignored the box."),
            escalate(62, "BBB-DPF-{year}-0412"),
        ),
    ),
    case(
        "complaint EU platform",
        ("Aoife Byrne", "IE"),
        "After a client of ours reported a breach she wants to know what our platform exposed; "
        "the client's notice was vague and points at us.",
        days_ago=62,
        owner="tomasz",
        channel="email",
        steps=(ack(1), escalate(44, "BBB-DPF-{year}-0457")),
    ),
    case(
        "complaint UK website",
        ("Oliver Hughes", "GB"),
        "Says our live-chat widget kept a transcript of his conversation, card number included, "
        "without telling him chats are recorded.",
        days_ago=80,
        owner="samuel",
        channel="email",
        steps=(
            ack(6),
            escalate(70, "BBB-DPF-{year}-0433"),
            note(75, "BBB asked for the chat retention settings; sent them today."),
        ),
    ),
    case(
        "complaint EU marketing",
        ("Lukas Bauer", "AT"),
        "His email address was uploaded to a social network to build a lookalike audience; he "
        "never agreed to advertising use.",
        days_ago=110,
        owner="priya",
        priority="high",
        steps=(
            ack(2),
            escalate(47, "BBB-DPF-{year}-0388"),
            escalate(72, "EDPB-PANEL-{year}-031", to="dpa_panel"),
        ),
    ),
    case(
        "complaint CH website",
        ("Noah Keller", "CH"),
        "Objects to session-replay recordings of the support portal that captured what he typed "
        "into a form he never submitted.",
        days_ago=116,
        owner="aiko",
        steps=(
            ack(1),
            escalate(40, "BBB-DPF-{year}-0301"),
            escalate(62, "FDPIC-{year}-0231", to="dpa_panel"),
            advice(100, "Delete the recordings and show a notice before recording starts."),
        ),
    ),
    case(
        "complaint EU website",
        ("Pieter Janssens", "BE"),
        "Long dispute over the erasure of a community account: internal review and BBB found for "
        "us, and he has now invoked binding arbitration for the residual claim.",
        days_ago=118,
        owner="samuel",
        priority="high",
        steps=(
            ack(1),
            escalate(35, "BBB-DPF-{year}-0276"),
            escalate(61, "DPF-ARB-{year}-006", to="arbitration"),
        ),
    ),
    case(
        "complaint EU marketing",
        ("Elena García", "ES"),
        "Received sales calls from our Madrid office after objecting to direct marketing at a "
        "trade fair.",
        days_ago=60,
        owner="tomasz",
        channel="phone",
        steps=(
            ack(1),
            resolve(21, "resolved", "Suppressed in the CRM and the dialler; apology sent."),
        ),
    ),
    case(
        "complaint EU website",
        ("Mikkel Sørensen", "DK"),
        "Complains that the newsletter sign-up form asks for his date of birth.",
        days_ago=45,
        owner="aiko",
        priority="low",
        steps=(ack(2), resolve(30, "not_upheld", "The age check our terms require needs it.")),
    ),
    case(
        "complaint EU platform",
        ("Jonas Weber", "DE"),
        "Gets text reminders about an abandoned basket from an online shop that runs on our "
        "platform and wants them stopped.",
        days_ago=15,
        steps=(redirect(2, "Northwind Outfitters GmbH"),),
    ),
    case(
        "complaint UK platform",
        ("Amelia Clarke", "GB"),
        "Wants her dental practice's online booking records corrected and deleted; the practice "
        "uses our platform for appointments.",
        days_ago=33,
        owner="samuel",
        channel="phone",
        steps=(ack(1), redirect(4, "Brightside Dental Ltd")),
    ),
    case(
        "complaint EU website",
        ("Marie Dubois", "FR"),
        "Thought our site had leaked her password after an email quoted it back to her.",
        days_ago=28,
        owner="priya",
        steps=(
            ack(2),
            resolve(9, "withdrawn", "The email was phishing that imitated us; she withdrew."),
        ),
    ),
    case(
        "complaint EU marketing",
        ("Francesca Ricci", "IT"),
        "Kept receiving partner offers by email after withdrawing her marketing consent.",
        days_ago=75,
        owner="tomasz",
        steps=(
            ack(1),
            resolve(20, "resolved", "Suppressed in the email platform and the CRM."),
            reopen(34, "Another partner offer arrived: the partner feed missed the suppression."),
            note(40, "Partner feed now reads the suppression list; waiting for her reply."),
        ),
    ),
    case(
        "complaint UK marketing",
        ("Callum MacLeod", "GB"),
        "Got a text message offer after telling our sales rep on the phone not to contact him "
        "again.",
        days_ago=3,
        channel="phone",
    ),
)
