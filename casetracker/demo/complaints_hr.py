"""Demo complaints about HR data: the DPA panel takes the place of the independent body."""

from casetracker.demo.scenario import ack, advice, assign, case, escalate, note, resolve

CASES = (
    case(
        "complaint EU recruiting",
        ("Ana Ferreira", "PT"),
        "Her rejection email, with her interview scores, went to another applicant, who "
        "forwarded it to her.",
        days_ago=2,
        owner="aiko",
        priority="high",
        channel="email",
    ),
    case(
        "complaint EU recruiting",
        ("Chiara Esposito", "IT"),
        "Rejected applicant says the video-interview tool analysed her facial expressions and "
        "nobody asked her.",
        days_ago=30,
        owner="tomasz",
        steps=(
            ack(2),
            assign(5, "priya"),
            note(15, "Vendor confirms an 'engagement analysis' add-on ran; data requested."),
        ),
    ),
    case(
        "complaint CH employment",
        ("Luca Meier", "CH"),
        "Former employee in Zurich complains that his whole personnel file, sick notes included, "
        "was shared with the new parent company's HR team.",
        days_ago=58,
        owner="aiko",
        priority="high",
        channel="letter",
        steps=(ack(4), note(20, "HR confirms the full file was copied during the migration.")),
    ),
    case(
        "complaint UK employment",
        ("Grace Thompson", "GB"),
        "Ex-employee complains that CCTV footage of her desk was used in a disciplinary hearing "
        "with no notice that cameras covered the office.",
        days_ago=95,
        owner="samuel",
        steps=(ack(3), escalate(47, "ICO-IC-{year}-48213")),
    ),
    case(
        "complaint EU employment",
        ("Siobhan Kelly", "IE"),
        "Employee in our Dublin office objects to keystroke-monitoring software on work laptops.",
        days_ago=112,
        owner="priya",
        steps=(
            ack(2),
            escalate(45, "EDPB-HR-{year}-0012"),
            advice(90, "Limit keystroke logging to security alerts and tell staff about it."),
        ),
    ),
    case(
        "complaint EU recruiting",
        ("Zofia Kowalczyk", "PL"),
        "Applicant says a background-check vendor received her details before she agreed to a "
        "check.",
        days_ago=119,
        owner="tomasz",
        steps=(
            ack(1),
            escalate(40, "EDPB-HR-{year}-0009"),
            advice(85, "Obtain consent before any check and delete the vendor's copy."),
        ),
    ),
    case(
        "complaint EU employment",
        ("Florian Wagner", "DE"),
        "Former sales manager disputes how his commission data was kept after he left; after the "
        "panel's advice he invoked arbitration for a residual claim.",
        days_ago=120,
        owner="dana",
        steps=(
            ack(2),
            escalate(33, "EDPB-HR-{year}-0004"),
            advice(68, "Keep commission records only for the statutory period."),
            escalate(100, "DPF-ARB-{year}-011"),
        ),
    ),
    case(
        "complaint CH recruiting",
        ("Nicolas Favre", "CH"),
        "Withdrew from a hiring process but found his CV still in our talent pool months later.",
        days_ago=40,
        owner="aiko",
        steps=(ack(1), resolve(18, "resolved", "CV deleted from the pool and recruiter inboxes.")),
    ),
)
