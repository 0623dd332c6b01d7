import pytest

from models.accounts.schools import Level
from models.protocols import richtext, templates
from models.protocols.templates import SectionKind

REQUIRED_REFERENCES = ["DPR 394/1999", "2014", "Orientamenti interculturali", "DPR 122/2009", "D.Lgs. 62/2017",
                       "L. 47/2017", "D.L. 71/2024", "QCER", "20 %"]


def test_there_is_one_template_per_school_level():
    assert {t.level for t in templates.list_templates()} == set(Level)


@pytest.mark.parametrize("template", templates.list_templates(), ids=lambda t: t.id)
def test_each_template_covers_what_a_protocol_needs(template):
    keys = [s.key for s in template.sections]
    for key in ["premessa", "destinatari", "riferimenti_normativi", "soggetti", "fase_amministrativa",
                "fase_comunicativa", "fase_educativa", "fase_sociale", "tempi", "monitoraggio", "allegati"]:
        assert key in keys
    assert {s.kind for s in template.sections} == set(SectionKind)
    bodies = {s.key: s.body for s in template.sections}
    for reference in REQUIRED_REFERENCES:
        assert reference in bodies["riferimenti_normativi"], reference
    for who in ["neoarrivati", "non accompagnati", "background migratorio"]:
        assert who in bodies["destinatari"]
    timeline = [b for b in richtext.parse(bodies["tempi"]) if isinstance(b, richtext.Table)][0]
    assert [richtext.plain_text(c) for c in timeline.header] == ["Quando", "Chi", "Cosa", "Come"]
    for topic in ["Assegnazione alla classe", "QCER", "Italiano L2", "piano didattico personalizzato", "Valutazione"]:
        assert topic.lower() in bodies["fase_educativa"].lower(), topic
    assert "10 %" in bodies["monitoraggio"]
    assert all(s.guidance for s in template.sections)


def test_the_secondary_templates_state_the_25_percent_rule_and_primary_does_not():
    by_level = {t.level: {s.key: s.body for s in t.sections} for t in templates.list_templates()}
    assert "25 %" in by_level[Level.SECONDARIA_SECONDO_GRADO]["monitoraggio"]
    assert "D.Lgs. 62/2017, art. 5" in by_level[Level.SECONDARIA_PRIMO_GRADO]["monitoraggio"]
    assert "non c'è un limite" in by_level[Level.PRIMARIA]["monitoraggio"]


def test_a_template_with_an_unknown_placeholder_is_refused(tmp_path):
    folder = tmp_path / "rotto" / "sections"
    folder.mkdir(parents=True)
    (tmp_path / "rotto" / "template.toml").write_text(
        'id = "rotto"\ntitle = "x"\nlevel = "primaria"\nversion = "1"\n'
        '[[sections]]\nkey = "a"\ntitle = "A"\nkind = "local"\n')
    (folder / "a.md").write_text("Ciao {{ scuola.segreto }}")
    with pytest.raises(Exception, match="scuola.segreto"):
        templates.load_template("rotto", root=tmp_path)


def test_unknown_template_id_is_an_italian_error():
    with pytest.raises(Exception, match="non esiste"):
        templates.load_template("../../etc")
