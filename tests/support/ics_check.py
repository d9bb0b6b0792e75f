"""Reads an iCalendar file with independent parsers (icalendar, recurring_ical_events) and prints
its occurrences between two dates as JSON, so tests can check what calendar clients would see.

Usage: python3 ics_check.py FILE FROM TO   (FROM and TO as YYYY-MM-DD)
"""

import datetime
import json
import sys

import icalendar
import recurring_ical_events


def utc(value):
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            raise SystemExit(f"floating time {value}: expected UTC or a zone")
        return value.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat()


def main():
    path, start, end = sys.argv[1:4]
    with open(path, "rb") as f:
        calendar = icalendar.Calendar.from_ical(f.read())
    if calendar.errors:
        raise SystemExit(f"calendar errors: {calendar.errors}")
    events = []
    for component in calendar.walk("VEVENT"):
        if component.errors:
            raise SystemExit(f"event errors: {component.errors}")
    window = [datetime.date.fromisoformat(start), datetime.date.fromisoformat(end)]
    for event in recurring_ical_events.of(calendar).between(*window):
        categories = []
        if event.get("CATEGORIES") is not None:
            for c in event.get("CATEGORIES").cats:
                categories.append(str(c))
        events.append(
            {
                "uid": str(event.get("UID")),
                "sequence": int(event.get("SEQUENCE", 0)),
                "status": str(event.get("STATUS", "")),
                "summary": str(event.get("SUMMARY", "")),
                "description": str(event.get("DESCRIPTION", "")),
                "location": str(event.get("LOCATION", "")),
                "categories": categories,
                "start": utc(event.decoded("DTSTART")),
                "end": utc(event.decoded("DTEND")),
            }
        )
    events.sort(key=lambda e: (e["start"], e["uid"]))
    print(json.dumps({"name": str(calendar.get("X-WR-CALNAME", "")), "events": events}))


main()
