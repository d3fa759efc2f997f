"""gaitcheck's Streamlit page (a placeholder until the page's own issue lands).

Run with ``streamlit run app.py``. All computation lives in the ``gaitcheck`` package.
"""

from __future__ import annotations

import streamlit as st


def main() -> None:
    st.set_page_config(page_title="gaitcheck", page_icon="🚶")
    st.title("gaitcheck")
    st.write("Walking posture feedback from a video: look ahead, walk tall.")
    st.info("The upload page is not ready yet. Meanwhile, run `gaitcheck analyze VIDEO` from a terminal.")
    st.caption("This is feedback on how you walk, not a diagnosis.")


main()
