"""The commissioners' report: `python -m bot report --since DATE --out report.html`.

data.py reads conversations from the tracker store into counts; names.py gives Care Community
and place names from the services directory; suppress.py hides small numbers; charts.py draws
them as inline SVG; render.py writes one self-contained HTML file. No message text is ever read
out of an event.
"""
