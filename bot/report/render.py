"""Render a Summary as one self-contained HTML file for commissioners.

No script, font, stylesheet or image is fetched: styles are inline, charts are inline SVG, and a
Content-Security-Policy forbids anything else. Every text from the data is escaped. Every count
goes through small-number suppression (suppress.py) before it is printed or drawn, and every
chart is followed by a table of the same figures.
"""
from __future__ import annotations

import datetime as dt
from html import escape

from bot.answers import LABELS
from bot.report import charts
from bot.report.data import LONDON, URGENCIES, Summary
from bot.report.names import Directory
from bot.report.suppress import PRIMARY, SECONDARY, THRESHOLD, Cell, table

URGENCY_LABELS = {"emergency": "Emergency (999)", "urgent": "Urgent", "routine": "Routine",
                  "self_care": "Self-care"}
URGENCY_COLOURS = {"emergency": "#d5281b", "urgent": "#ed8b00", "routine": "#005eb8", "self_care": "#007f3b"}
SERVICE_LABELS = {**{k: v[0].upper() + v[1:] for k, v in LABELS.items()},
                  "call_999": "Call 999", "self_care": "Self-care at home", "a_and_e": "A&E",
                  "nhs_111": "NHS 111", "gp_practice": "GP practice"}
CHANNEL_LABELS = {"web": "Web chat", "sms": "SMS (text message)", "other": "Other"}
SUMMARY_CHANNELS = {"web": "by web chat", "sms": "by SMS (text message)", "other": "by other channels"}

CSS = """
body { font-family: Arial, Helvetica, sans-serif; color: #212b32; background: #f0f4f5; margin: 0;
       line-height: 1.5; }
header { background: #005eb8; color: #fff; padding: 24px 32px; }
header h1 { margin: 0 0 4px; font-size: 2rem; }
main { max-width: 980px; margin: 0 auto; padding: 16px 24px 48px; }
section { background: #fff; border: 1px solid #d8dde0; margin: 24px 0; padding: 16px 24px; }
h2 { font-size: 1.5rem; margin: 0 0 8px; }
.figures { display: flex; flex-wrap: wrap; gap: 12px; padding: 0; list-style: none; }
.figures li { border-left: 6px solid #005eb8; background: #f0f4f5; padding: 8px 14px; min-width: 190px; }
.figures .n { display: block; font-size: 1.8rem; font-weight: bold; }
figure { margin: 12px 0; }
figcaption { font-weight: bold; margin-bottom: 4px; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 0.95rem; }
caption { text-align: left; font-weight: bold; padding: 4px 0; }
th, td { border-bottom: 1px solid #d8dde0; padding: 4px 10px; text-align: left; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
tfoot td, tfoot th { font-weight: bold; border-top: 2px solid #212b32; }
.note { color: #4c6272; }
@media print { body { background: #fff; } section { break-inside: avoid; border: none; } }
"""
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def e(value: object) -> str:
    return escape(str(value), quote=True)


def service_label(service: str | None) -> str:
    if not service:
        return "Not recorded"
    return SERVICE_LABELS.get(service, "Other")


def _day(moment: dt.datetime) -> str:
    local = moment.astimezone(LONDON)
    return f"{local.day} {local:%B %Y}"


class _Page:
    """The report's sections, in order."""

    def __init__(self, summary: Summary, directory: Directory) -> None:
        self.s, self.d = summary, directory
        seen = {c for c in summary.by_community} | {c for c, _ in summary.by_community_urgency} \
            | {c for c, _, _ in summary.unmet}
        known = [c for c in directory.local]
        extra = sorted((c for c in seen if c and c not in known), key=directory.community)
        self.communities: list[str | None] = known + extra + ([None] if None in seen or not known + extra else [])

    # --- building blocks ------------------------------------------------------------------

    def matrix(self, caption: str, row_head: str, rows: list[str], cols: list[str],
               counts: list[list[int]], table_id: str) -> tuple[str, list, list, list, Cell]:
        """A table of counts with row and column totals, small numbers hidden."""
        cells, row_totals, col_totals, grand = table(counts)
        head = "".join(f'<th scope="col" class="n">{e(c)}</th>' for c in cols)
        body = "".join(f'<tr><th scope="row">{e(name)}</th>'
                       + "".join(f'<td class="n">{e(c.shown)}</td>' for c in row)
                       + f'<td class="n">{e(total.shown)}</td></tr>'
                       for name, row, total in zip(rows, cells, row_totals))
        foot = ('<tfoot><tr><th scope="row">Total</th>'
                + "".join(f'<td class="n">{e(c.shown)}</td>' for c in col_totals)
                + f'<td class="n">{e(grand.shown)}</td></tr></tfoot>')
        html = (f'<table id="{e(table_id)}"><caption>{e(caption)}</caption>'
                f'<thead><tr><th scope="col">{e(row_head)}</th>{head}<th scope="col" class="n">Total</th></tr>'
                f'</thead><tbody>{body}</tbody>{foot}</table>')
        return html, cells, row_totals, col_totals, grand

    @staticmethod
    def figure(chart: str, caption: str) -> str:
        return f"<figure>{chart}<figcaption>{e(caption)}</figcaption></figure>"

    @staticmethod
    def key(name: str, cell: Cell, figure_id: str) -> str:
        return f'<li><span class="n" data-figure="{e(figure_id)}">{e(cell.shown)}</span> {e(name)}</li>'

    # --- sections ---------------------------------------------------------------------------

    def conversations(self) -> tuple[str, dict[str, Cell], Cell]:
        channels = ["web", "sms"] + (["other"] if self.s.by_channel.get("other") else [])
        counts = [[self.s.by_community_channel[c, ch] for ch in channels] for c in self.communities]
        names = [self.d.community(c) for c in self.communities]
        html, _, row_totals, col_totals, grand = self.matrix(
            "Conversations by Care Community and channel", "Care Community", names,
            [CHANNEL_LABELS[ch] for ch in channels], counts, table_id="table-conversations")
        chart = charts.bars("chart-conversations", "Conversations by Care Community",
                            [(self.d.short(c), t) for c, t in zip(self.communities, row_totals)])
        section = ('<section id="conversations"><h2>Conversations by Care Community</h2>'
                   '<p>A conversation is a visit to the assistant: it ends after an hour of silence. It is counted '
                   'in the Care Community the resident was placed in by the place they gave.</p>'
                   + self.figure(chart, "Conversations by Care Community") + html + "</section>")
        return section, dict(zip(channels, col_totals)), grand

    def urgency(self) -> tuple[str, Cell]:
        counts = [[self.s.by_community_urgency[c, u] for u in URGENCIES] for c in self.communities]
        cols = [URGENCY_LABELS[u] for u in URGENCIES]
        html, cells, _, col_totals, grand = self.matrix(
            "Outcomes by Care Community and urgency", "Care Community", [self.d.community(c) for c in self.communities],
            cols, counts, table_id="table-urgency")
        overall = charts.bars("chart-urgency", "Outcomes by urgency, all Care Communities",
                              list(zip(cols, col_totals)), colours=[URGENCY_COLOURS[u] for u in URGENCIES])
        grid = charts.heatmap("chart-urgency-community", "Outcomes by Care Community and urgency",
                              [self.d.short(c) for c in self.communities], cols, cells)
        section = ('<section id="urgency"><h2>Outcomes by urgency</h2>'
                   '<p>An outcome is one answer that told the resident how urgent their problem was and where to '
                   'go. One conversation can have more than one.</p>'
                   + self.figure(overall, "Outcomes by urgency, all Care Communities")
                   + self.figure(grid, "Outcomes by Care Community and urgency") + html + "</section>")
        return section, grand

    def services(self) -> str:
        services = sorted(self.s.by_service, key=lambda k: (-self.s.by_service[k], service_label(k)))
        # Unknown slot values are merged into "Other" by label.
        labels: list[str] = []
        for service in services:
            if service_label(service) not in labels:
                labels.append(service_label(service))
        counts = [[sum(n for (c2, sv), n in self.s.by_community_service.items()
                       if c2 == c and service_label(sv) == label) for label in labels] for c in self.communities]
        html, cells, _, col_totals, _ = self.matrix(
            "Outcomes by Care Community and where residents were sent", "Care Community",
            [self.d.community(c) for c in self.communities], labels, counts, table_id="table-services")
        overall = charts.bars("chart-services", "Where residents were sent, all Care Communities",
                              list(zip(labels, col_totals)))
        grid = charts.heatmap("chart-services-community", "Where residents were sent, by Care Community",
                              [self.d.short(c) for c in self.communities], labels, cells)
        return ('<section id="services"><h2>Where residents were sent</h2>'
                '<p>The kind of place each outcome recommended.</p>'
                + self.figure(overall, "Where residents were sent, all Care Communities")
                + self.figure(grid, "Where residents were sent, by Care Community") + html + "</section>")

    def ae(self) -> str:
        asked = [self.s.ae_by_community[c, "asked"] for c in self.communities]
        steered = [self.s.ae_by_community[c, "steered"] for c in self.communities]
        a_cells, _, a_total, _ = table([[n] for n in asked])
        s_cells, _, s_total, _ = table([[n] for n in steered])
        rows = "".join(f'<tr><th scope="row">{e(self.d.community(c))}</th><td class="n">{e(a[0].shown)}</td>'
                       f'<td class="n">{e(st[0].shown)}</td></tr>'
                       for c, a, st in zip(self.communities, a_cells, s_cells))
        by_community = ('<table id="table-ae"><caption>Asked about A&amp;E, by Care Community</caption><thead><tr>'
                        '<th scope="col">Care Community</th><th scope="col" class="n">Asked about A&amp;E</th>'
                        '<th scope="col" class="n">Told a better place</th></tr></thead><tbody>' + rows
                        + '</tbody><tfoot><tr><th scope="row">Total</th>'
                        f'<td class="n">{e(a_total[0].shown)}</td><td class="n">{e(s_total[0].shown)}</td>'
                        '</tr></tfoot></table>')
        places = sorted(self.s.steered_to, key=lambda k: -self.s.steered_to[k])
        labels: list[str] = []
        for service in places:
            if service_label(service) not in labels:
                labels.append(service_label(service))
        to_counts = [sum(n for sv, n in self.s.steered_to.items() if service_label(sv) == lab) for lab in labels]
        to_cells, _, to_total, _ = table([[n] for n in to_counts]) if labels else ([], [], [Cell(0, "0")], None)
        to_rows = "".join(f'<tr><th scope="row">{e(lab)}</th><td class="n">{e(c[0].shown)}</td></tr>'
                          for lab, c in zip(labels, to_cells))
        to_table = ('<table id="table-ae-to"><caption>Where residents who asked about A&amp;E were sent instead'
                    '</caption><thead><tr><th scope="col">Place</th><th scope="col" class="n">Times</th></tr></thead>'
                    f'<tbody>{to_rows}</tbody><tfoot><tr><th scope="row">Total</th>'
                    f'<td class="n">{e(to_total[0].shown)}</td></tr></tfoot></table>')
        chart = charts.bars("chart-ae", "Where residents who asked about A&E were sent instead",
                            [(lab, c[0]) for lab, c in zip(labels, to_cells)])
        figures = ('<ul class="figures">' + self.key("conversations asked about A&E", a_total[0], "asked-ae")
                   + self.key("were told a better place than A&E", s_total[0], "steered-ae") + "</ul>")
        return ('<section id="ae"><h2>A&amp;E: asked, and steered elsewhere</h2>'
                '<p>Residents who asked whether to go to A&amp;E, and how many were told of a better place for '
                'their problem (they are always told they can still go to A&amp;E or call 999). Those with an '
                'emergency were told to call 999 and are not counted as steered.</p>' + figures
                + self.figure(chart, "Where residents who asked about A&E were sent instead") + to_table
                + by_community + "</section>")

    def unmet(self) -> tuple[str, Cell]:
        keys = sorted(self.s.unmet, key=lambda k: (self.d.community(k[0]), k[1] or "~", service_label(k[2])))
        cells, _, total, _ = table([[self.s.unmet[k]] for k in keys]) if keys else ([], [], [Cell(0, "0")], None)
        rows = "".join(f'<tr><th scope="row">{e(self.d.community(c))}</th><td>{e(p or "Not recorded")}</td>'
                       f'<td>{e(service_label(sv))}</td><td class="n">{e(cell[0].shown)}</td></tr>'
                       for (c, p, sv), cell in zip(keys, cells))
        by_place = ('<table id="table-unmet"><caption>Searches that found no suitable place, by place and type'
                    '</caption><thead><tr><th scope="col">Care Community</th><th scope="col">Place</th>'
                    '<th scope="col">Looking for</th><th scope="col" class="n">Searches</th></tr></thead>'
                    f'<tbody>{rows}</tbody><tfoot><tr><th scope="row" colspan="3">Total</th>'
                    f'<td class="n">{e(total[0].shown)}</td></tr></tfoot></table>')
        labels: list[str] = []
        for _, _, service in keys:
            if service_label(service) not in labels:
                labels.append(service_label(service))
        by_type_counts = [sum(n for (_, _, sv), n in self.s.unmet.items() if service_label(sv) == lab)
                          for lab in labels]
        type_cells, _, _, _ = table([[n] for n in by_type_counts]) if labels else ([], [], [], None)
        chart = charts.bars("chart-unmet", "Searches that found no suitable place, by type",
                            [(lab, c[0]) for lab, c in zip(labels, type_cells)])
        searches = table([[self.s.searches]])[3]
        return ('<section id="unmet"><h2>Unmet need: searches that found no suitable place</h2>'
                f'<p>Of <span data-figure="searches">{e(searches.shown)}</span> searches for places, these found '
                'nothing suitable in the directory, or nothing open when the resident needed it (they were told '
                'to call 111). A place is shown only when the directory knows it, and a postcode only as its '
                'district.</p>' + self.figure(chart, "Searches that found no suitable place, by type")
                + by_place + "</section>", total[0])

    def hours(self) -> str:
        channels = ["web", "sms"] + (["other"] if self.s.by_channel.get("other") else [])
        counts = [[self.s.by_hour_channel[h, ch] for ch in channels] for h in range(24)]
        names = [f"{h:02d}:00 to {h:02d}:59" for h in range(24)]
        html, _, row_totals, _, _ = self.matrix("Conversations by hour of the day (UK time) and channel", "Hour",
                                               names, [CHANNEL_LABELS[ch] for ch in channels], counts,
                                               table_id="table-hours")
        busiest = sorted(range(24), key=lambda h: -self.s.by_hour[h])[:3]
        words = ", ".join(f"{h:02d}:00" for h in busiest if self.s.by_hour[h])
        chart = charts.columns("chart-hours", "Conversations by hour of the day",
                               [(f"{h:02d}", t) for h, t in zip(range(24), row_totals)], "Hour of the day (UK time)")
        return ('<section id="hours"><h2>Busiest hours</h2>'
                f'<p>When conversations started, in UK time. Busiest: {e(words or "none")}.</p>'
                + self.figure(chart, "Conversations by hour of the day") + html + "</section>")

    def channels(self, by_channel: dict[str, Cell]) -> str:
        items = [(CHANNEL_LABELS[ch], cell) for ch, cell in by_channel.items()]
        chart = charts.bars("chart-channels", "Conversations by channel", items, colours=["#005eb8", "#330072",
                                                                                           "#768692"])
        rows = "".join(f'<tr><th scope="row">{e(name)}</th><td class="n">{e(cell.shown)}</td></tr>'
                       for name, cell in items)
        return ('<section id="channels"><h2>Web chat and SMS</h2>'
                '<p>How residents reached the assistant.</p>' + self.figure(chart, "Conversations by channel")
                + '<table id="table-channels"><caption>Conversations by channel</caption><thead><tr>'
                '<th scope="col">Channel</th><th scope="col" class="n">Conversations</th></tr></thead>'
                f'<tbody>{rows}</tbody></table></section>')

    def about(self, generated: dt.datetime) -> str:
        names = ("" if self.d.available else
                 "<li>The services directory could not be read, so Care Communities are shown by their ids and "
                 "no place names are shown.</li>")
        return ('<section id="about"><h2>About this report</h2><ul>'
                f"<li><strong>Small numbers are hidden.</strong> A count from 1 to {THRESHOLD - 1} is shown as "
                f"“{e(PRIMARY)}”, so that no resident can be picked out. Where a hidden count could be worked out "
                f"from a total, another count in the same row or column is hidden too and shown as “{e(SECONDARY)}”. "
                "Charts draw hidden counts as a small hatched mark of the same size, whatever their value.</li>"
                "<li>The report holds counts only. It contains no message text, no sender ids and no phone "
                "numbers.</li>"
                "<li>Counts come from the assistant’s conversation store. Conversations are deleted after the "
                "retention period (docs/privacy.md), so a report cannot look back further than that.</li>"
                "<li>“Care Community” is where the resident said they were. “Not known” means they gave no "
                "place.</li>" + names
                + f"<li>Made on {e(_day(generated))} at {e(generated.astimezone(LONDON).strftime('%H:%M'))} (UK time).</li>"
                "</ul></section>")


def render(summary: Summary, directory: Directory, generated: dt.datetime | None = None) -> str:
    """The whole report as an HTML document."""
    generated = generated or dt.datetime.now(dt.timezone.utc)
    page = _Page(summary, directory)
    conversations, by_channel, total = page.conversations()
    urgency, outcomes = page.urgency()
    unmet, unmet_total = page.unmet()
    last_day = summary.until - dt.timedelta(microseconds=1)
    period = f"{_day(summary.since)} to {_day(last_day)}"
    figures = ('<section id="summary"><h2>Summary</h2><ul class="figures">'
               + page.key("conversations", total, "conversations")
               + "".join(page.key(SUMMARY_CHANNELS[ch], cell, f"conversations-{ch}") for ch, cell in by_channel.items())
               + page.key("outcomes (urgency and where to go)", outcomes, "outcomes")
               + page.key("searches found no suitable place", unmet_total, "unmet")
               + "</ul></section>")
    return ("<!DOCTYPE html>\n"
            '<html lang="en-GB"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{e(CSP)}">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>Care signposting assistant: report for {e(period)}</title><style>{CSS}</style></head>"
            "<body><header><h1>Care signposting assistant</h1>"
            f"<p>Report for commissioners: {e(period)}</p></header><main>"
            + figures + conversations + urgency + page.services() + page.ae() + unmet + page.hours()
            + page.channels(by_channel) + page.about(generated) + "</main></body></html>\n")
