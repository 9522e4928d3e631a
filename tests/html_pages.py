"""Small invented web pages for the HTML reader's tests: a page of a local news site with its
menu and footer around the body a test writes."""

from __future__ import annotations

FILLER = ("The committee heard from growers, shippers and buyers over two long days, and "
          "each group brought figures of its own to the table")


def page(body: str, title: str = "Gardeners rally for the community plots") -> str:
    """A whole page: title with the site's name, a menu, ``body``, a footer."""
    return (f"<html><head><title>{title} | Daily Leaf</title></head><body>"
            "<nav><ul><li><a href='/'>Home</a></li><li><a href='/news'>News</a></li></ul></nav>"
            f"{body}<footer><p>© 2024 Daily Leaf. All rights reserved.</p></footer>"
            "</body></html>")
