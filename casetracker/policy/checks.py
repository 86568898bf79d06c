"""Check that the parts of a parsed policy fit together."""

from __future__ import annotations

from collections.abc import Iterator

from casetracker.policy.model import (
    DATA_CONTEXTS,
    JURISDICTIONS,
    KINDS,
    RIGHTS,
    ClockEntry,
    Policy,
    PolicyError,
)


def check_policy(policy: Policy) -> None:
    """Raise PolicyError unless every case gets a route and unambiguous clocks."""
    _check_clock_stages(policy)
    _check_body_stages(policy)
    _check_route_coverage(policy)
    _check_ambiguity(policy)
    _check_respond_coverage(policy)


def _stages_of(policy: Policy, kind: str | None = None) -> set[str]:
    return {
        stage
        for route in policy.routes.values()
        if kind is None or route.kind == kind
        for stage in route.stages
    }


def _check_clock_stages(policy: Policy) -> None:
    for entry in policy.clock_entries:
        on_routes = _stages_of(policy, entry.kind)
        for position, stage in enumerate(entry.spec.stages):
            if stage not in on_routes:
                raise PolicyError(
                    f"clocks[{entry.index}].stages[{position}]: stage {stage!r} "
                    f"is on no {entry.kind} route"
                )


def _check_body_stages(policy: Policy) -> None:
    on_routes = _stages_of(policy)
    for stage in policy.bodies:
        if stage not in on_routes:
            raise PolicyError(f"bodies.{stage}: stage {stage!r} is on no route")


def _check_route_coverage(policy: Policy) -> None:
    for kind in KINDS:
        for jurisdiction in JURISDICTIONS:
            for data_context in DATA_CONTEXTS:
                if not any(
                    rule.matches(kind=kind, jurisdiction=jurisdiction, data_context=data_context)
                    for rule in policy.route_rules
                ):
                    raise PolicyError(
                        f"route_rules: no route for {kind}/{jurisdiction}/{data_context}"
                    )


def _cases() -> Iterator[tuple[str, str, str | None]]:
    """Yield every (kind, jurisdiction, right) a case can have."""
    for jurisdiction in JURISDICTIONS:
        yield "complaint", jurisdiction, None
        for right in (None, *RIGHTS):
            yield "request", jurisdiction, right


def _describe_case(kind: str, jurisdiction: str, right: str | None) -> str:
    return "/".join(part for part in (kind, jurisdiction, right) if part)


def _check_ambiguity(policy: Policy) -> None:
    for kind, jurisdiction, right in _cases():
        best: dict[str, list[ClockEntry]] = {}
        for entry in policy.clock_entries:
            if not entry.matches(kind=kind, jurisdiction=jurisdiction, right=right):
                continue
            rivals = best.setdefault(entry.spec.name, [])
            if rivals and entry.specificity < rivals[0].specificity:
                continue
            if rivals and entry.specificity > rivals[0].specificity:
                rivals.clear()
            rivals.append(entry)
        for name, rivals in best.items():
            if len(rivals) > 1:
                first, second = rivals[:2]
                raise PolicyError(
                    f"clocks[{second.index}]: ambiguous with clocks[{first.index}]: both set "
                    f"{name!r} for {_describe_case(kind, jurisdiction, right)} "
                    "(make one more specific with jurisdictions or rights)"
                )


def _check_respond_coverage(policy: Policy) -> None:
    for kind, jurisdiction, right in _cases():
        clocks = policy.clocks_for(kind=kind, jurisdiction=jurisdiction, right=right)
        if not any(clock.name == "respond" for clock in clocks):
            raise PolicyError(
                f"clocks: no 'respond' clock for {_describe_case(kind, jurisdiction, right)}"
            )
