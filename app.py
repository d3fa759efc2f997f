"""gaitcheck's page for patients and therapists: ``streamlit run app.py`` (or ``gaitcheck serve`` for a clinic).

The widgets are in :mod:`gaitcheck.page`; every computation is in ``gaitcheck`` (:mod:`gaitcheck.ui`
and the same functions the CLI uses). An upload is kept in memory for the browser session and
written to disk only in a private temporary folder while one step needs it; nothing leaves the machine.
"""

from gaitcheck.page import main

main()
