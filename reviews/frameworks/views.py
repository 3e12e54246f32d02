"""Pages of the framework library browser and the crosswalk (login needed; shared data)."""

from __future__ import annotations

from collections import defaultdict

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from . import selectors
from .models import Framework


@login_required
def framework_list(request: HttpRequest) -> HttpResponse:
    versions: dict[str, list[Framework]] = defaultdict(list)
    for fw in selectors.frameworks():
        versions[fw.urn].append(fw)
    rows = [
        (fw, versions[fw.urn], fw.requirements.filter(assessable=True).count())
        for fw in selectors.latest_frameworks()
    ]
    return render(request, "frameworks/list.html", {"rows": rows})


@login_required
def framework_detail(request: HttpRequest, pk: int) -> HttpResponse:
    framework = get_object_or_404(Framework, pk=pk)
    requirements = list(selectors.requirements_of(framework))
    urns = {q.urn for q in requirements}
    links: dict[str, list[tuple[str, str]]] = defaultdict(list)
    edges = [e for e in selectors.edges() if e.source in urns or e.target in urns]
    names = selectors.names([e.source for e in edges] + [e.target for e in edges])
    for e in edges:
        if e.source in urns:
            links[e.source].append(
                (e.get_relationship_display().lower(), names.get(e.target, e.target))
            )
        if e.target in urns:
            inverse = {"subset": "superset of", "superset": "subset of"}.get(e.relationship)
            links[e.target].append(
                (inverse or e.get_relationship_display().lower(), names.get(e.source, e.source))
            )
    rows = [(q, links.get(q.urn, [])) for q in requirements]
    return render(
        request,
        "frameworks/detail.html",
        {"framework": framework, "rows": rows, "newer": selectors.upgrades_for(framework)},
    )


@login_required
def crosswalk(request: HttpRequest) -> HttpResponse:
    frameworks = selectors.latest_frameworks()
    chosen = request.GET.get("framework", "")
    edges = list(selectors.edges())
    if chosen:
        edges = [e for e in edges if chosen in (e.source_framework, e.target_framework)]
    names = selectors.names([e.source for e in edges] + [e.target for e in edges])
    rows = [(e, names.get(e.source, e.source), names.get(e.target, e.target)) for e in edges]
    return render(
        request,
        "frameworks/crosswalk.html",
        {"rows": rows, "frameworks": frameworks, "chosen": chosen},
    )
