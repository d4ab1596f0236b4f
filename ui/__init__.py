"""Streamlit glue shared by the pages: cached data loading and the common sidebar."""
