"""At phone width (390 px) no page scrolls sideways as a whole: wide tables scroll inside their own box."""

from __future__ import annotations

import pytest
from flask import url_for

from .test_accessibility import PAGES, _id, _username, _values

PHONE = {"width": 390, "height": 844}
READ_ONLY = [p for p in PAGES if p[3] is None and p[4] == 200]

WIDEST = """() => {
  const limit = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= limit + 1) return null;
  // name the element that sticks out, for the failure message
  for (const el of document.querySelectorAll("body *")) {
    const box = el.getBoundingClientRect();
    if (box.right > limit + 1 && !el.closest(".table-scroll, .matrix-scroll, pre")) {
      return `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}.${[...el.classList].join(".")} ends at ${Math.round(box.right)}px`;
    }
  }
  return `the page is ${document.documentElement.scrollWidth}px wide`;
}"""


@pytest.mark.parametrize("role, endpoint, values, action, status", READ_ONLY, ids=[_id(*p) for p in READ_ONLY])
def test_no_page_scrolls_sideways_at_phone_width(new_context, live_server, role, endpoint, values, action, status):
    context = new_context(_username(live_server.scenario, role))
    with live_server.app.test_request_context():
        url = url_for(endpoint, **_values(live_server, values))
    page = context.new_page()
    page.set_viewport_size(PHONE)
    assert page.goto(url).status == 200
    sticking_out = page.evaluate(WIDEST)
    assert sticking_out is None, f"{url} as {role or 'anonymous'} at 390 px: {sticking_out}"
