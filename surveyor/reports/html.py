"""Render a report context to HTML with the report templates.

Pure: context in, one HTML string out (inline CSS, inline SVG charts, fonts as ``file:``
URLs that :func:`surveyor.typeset.environment.inline_fonts` can turn into ``data:`` URLs). Writing
files is the orchestration's job (``surveyor.reports.workers``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jinja2

    from surveyor.reports.context import ReportContext


def render_report(context: ReportContext, env: jinja2.Environment) -> str:
    """Render one report.

    Parameters
    ----------
    context
        From :func:`surveyor.reports.context.build_context`; ``context.template`` names the
        template (``report_set.html``, ``report_organization.html`` or
        ``report_programme.html``), found through ``env``'s loader so a brand folder can
        override it.
    env
        From :func:`surveyor.typeset.environment.make_environment` (autoescape and
        ``StrictUndefined``).

    Returns
    -------
    str
        A complete HTML document.
    """
    from surveyor.typeset.environment import brand_errors_are_user_errors

    with brand_errors_are_user_errors(env):
        return env.get_template(context.template).render(context.as_dict())
