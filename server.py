"""The web server: Streamlit serves app.py, plus our routes that set and clear the session cookie, and a
guard that adds the security headers to every answer and serves a download only to the live login that made it.

`make run` starts it with `streamlit run server.py`, which finds `app` below
(Streamlit's Starlette integration, `streamlit.starlette.App`, the supported
way since 1.53 to add HTTP routes of one's own): see ui/cookie_routes.py and ui/http_guard.py; and a
middleware that serves the page in Italian: see ui/italian_page.py.
"""

from starlette.middleware import Middleware
from streamlit.runtime.pages_manager import PagesManager
from streamlit.starlette import App

from ui import downloads, italian_page
from ui.cookie_routes import ROUTES
from ui.http_guard import GuardMiddleware

# Streamlit runs a pages/ file by itself for the first visitor of a fresh server,
# until some session has called st.navigation (then it sets this flag to False for
# good). Set it from the start, so a link to a page opens the login first and
# then that page, on a fresh server too. (Every page still calls the guard.)
PagesManager.uses_pages_directory = False

# Every file offered for download is noted against the login that made it; the guard serves it to that login only.
downloads.install()

# The page itself in Italian (lang="it", Streamlit's own English words translated): ui/italian_page.py.
app = App("app.py", routes=[*ROUTES, *italian_page.ROUTES],
          middleware=[Middleware(GuardMiddleware), Middleware(italian_page.ItalianPage)])
