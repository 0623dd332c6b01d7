"""Tables offer no download of their own: a pupil list leaves Approdo only through the page's download buttons,
which note it in the access register and mark it as personal data of minors."""

from streamlit import config

from tests.conftest import ROOT


def test_the_app_s_config_hides_the_tables_csv_download_and_copy(monkeypatch):
    # The walk of 07/12 found «Scarica come CSV» on the risk list (st.dataframe's toolbar): pupil codes and
    # reasons downloaded with no entry in the access register. Streamlit reads .streamlit/config.toml from the
    # directory it starts in, as `make run` does from the repository.
    monkeypatch.chdir(ROOT)
    config.get_config_options(force_reparse=True)
    try:
        assert config.get_option("client.disableDataExport") is True
    finally:
        config.get_config_options(force_reparse=True)
