"""Demo complaints from Brazil (the ANPD route), California and elsewhere (handled in-house)."""

from casetracker.demo.scenario import ack, assign, case, escalate, hold, note, redirect, resolve

CASES = (
    case(
        "complaint BR marketing",
        ("Rafael Oliveira", "BR"),
        "Complains about WhatsApp marketing messages in Portuguese he never signed up for.",
        days_ago=0.6,
    ),
    case(
        "complaint BR website",
        ("Beatriz Santos", "BR"),
        "Our Brazilian site gives her no way to see or change her cookie choices after the first "
        "visit.",
        days_ago=18,
        steps=(assign(1, "priya"), ack(2)),
    ),
    case(
        "complaint BR marketing",
        ("Lucas Pereira", "BR"),
        "Says we bought his contact details from a data broker and ignored two requests to stop "
        "calling; escalated to the ANPD.",
        days_ago=85,
        owner="tomasz",
        priority="high",
        channel="phone",
        steps=(ack(3), escalate(50, "ANPD-{year}-004512")),
    ),
    case(
        "complaint BR platform",
        ("Juliana Costa", "BR"),
        "A payment page on our platform showed her someone else's invoice; she came to us before "
        "going to the ANPD.",
        days_ago=66,
        owner="samuel",
        steps=(
            ack(2),
            note(20, "The client declines; the security side is ours, so we keep the case."),
            escalate(47, "ANPD-{year}-003877"),
        ),
    ),
    case(
        "complaint BR website",
        ("Gabriel Almeida", "BR"),
        "Could not find who our data protection officer (encarregado) is on the Brazilian site.",
        days_ago=50,
        owner="priya",
        priority="low",
        steps=(ack(1), resolve(12, "resolved", "The notice now names the encarregado.")),
    ),
    case(
        "complaint US-CA website",
        ("Emily Chen", "US"),
        "Says our cookie settings ignore the Global Privacy Control signal her browser sends.",
        days_ago=5,
    ),
    case(
        "complaint US-CA marketing",
        ("Marcus Johnson", "US"),
        "Keeps getting emails from a partner brand after opting out of the sale of his data in "
        "the spring.",
        days_ago=26,
        owner="samuel",
        steps=(ack(3), hold(15, "Waiting for the partner's delivery logs.")),
    ),
    case(
        "complaint OTHER website",
        ("Chloe Nguyen", "AU"),
        "Complains that we kept logs of her IP addresses for years and wants to know why.",
        days_ago=64,
        owner="aiko",
        steps=(ack(2),),
    ),
    case(
        "complaint OTHER marketing",
        ("Arjun Mehta", "IN"),
        "Says he never agreed to our webinar follow-up emails.",
        days_ago=47,
        owner="priya",
        priority="low",
        channel="email",
        steps=(ack(1), resolve(25, "not_upheld", "He opted in at sign-up; record sent to him.")),
    ),
    case(
        "complaint OTHER platform",
        ("Émile Tremblay", "CA"),
        "A real-estate agency using our platform keeps texting him about listings.",
        days_ago=9,
        steps=(redirect(0.5, "Maple Ridge Realty Inc."),),
    ),
)
