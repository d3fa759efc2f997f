"""Serving the page to a clinic: therapist sign-in, patients' links, the pose queue and the server command.

``access`` holds the password hash and the signed links, ``queue`` runs pose analyses one per slot,
``settings`` reads the server's settings from the environment, ``server`` starts Streamlit on the page.
"""
