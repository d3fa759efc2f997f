"""The page's Streamlit script inside the package (what ``gaitcheck serve`` runs)."""

from gaitcheck.page import main

main()
