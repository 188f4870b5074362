"""Streamlit UI (placeholder until the pages land)."""

import streamlit as st

st.set_page_config(page_title="Fitness coach", page_icon="🏋️")
st.title("Fitness coach")
st.write("The live workout, video analysis and history pages are on their way.")
