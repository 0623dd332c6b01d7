"""Writes the Excel files of this corpus (run from anywhere: `python tests/data/registri/make_xlsx.py`).

They are written for the project, in the shapes registers export: a cover sheet before the table,
title lines above it, and Excel's own values (dates, [h]:mm durations, times, percentages).
"""

from datetime import datetime, time, timedelta
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent


def monthly_workbook() -> Workbook:
    book = Workbook()
    cover = book.active
    cover.title = "Intestazione"
    cover.append(["Stampa del registro elettronico"])
    cover.append(["Generata il", datetime(2025, 12, 2, 9, 15)])
    sheet = book.create_sheet("Assenze")
    sheet.append(["Liceo «Ponte Nuovo» - prospetto assenze orarie"])
    sheet.append(["Classe 2A", None, "Periodo: ottobre - novembre 2025"])
    sheet.append([])
    sheet.append(["Alunno", "Classe", "Mese", "Monte ore", "Ore di assenza", "% ass.", "Ritardi", "Uscite"])
    pupils = {"X2A01": [(130, 6.5, 0, 1), (126, 8, 1, 0)], "X2A02": [(130, 35, 4, 2), (126, 40, 5, 3)],
              "X2A03": [(130, 0.75, 0, 0), (126, 0, 0, 0)]}
    for code, months in pupils.items():
        for month, (sched, absent, late, early) in zip((10, 11), months, strict=True):
            hours = time(int(absent), round(absent % 1 * 60)) if absent < 24 else timedelta(hours=absent)
            sheet.append([code, "2A", datetime(2025, month, 1), timedelta(hours=sched), hours, absent / sched,
                          late, early])
            row = sheet.max_row
            sheet.cell(row, 3).number_format = "mmmm yyyy"
            sheet.cell(row, 4).number_format = "[h]:mm"
            sheet.cell(row, 5).number_format = "[h]:mm"
            sheet.cell(row, 6).number_format = "0.0%"
    return book


def events_workbook() -> Workbook:
    book = Workbook()
    sheet = book.active
    sheet.title = "Eventi"
    sheet.append(["Elenco assenze, ritardi e uscite - classe 4B"])
    sheet.append([])
    sheet.append(["Cod. studente", "Classe", "Giorno", "Tipo", "Ore perse", "Giust.", "Note"])
    events = [("Y4B01", 10, 14, "Assenza", None, "X", "Malattia"), ("Y4B01", 10, 15, "Assenza", None, "X", ""),
              ("Y4B01", 11, 6, "Ritardo", time(1, 0), None, ""), ("Y4B02", 10, 27, "Uscita", time(2, 30), "X", ""),
              ("Y4B02", 11, 10, "Assenza", time(5, 0), None, ""), ("Y4B02", 11, 11, "Assenza", time(5, 0), None, "")]
    for code, month, day, kind, hours, justified, note in events:
        sheet.append([code, "4B", datetime(2025, month, day), kind, hours, justified, note])
        sheet.cell(sheet.max_row, 3).number_format = "dd/mm/yyyy"
        sheet.cell(sheet.max_row, 5).number_format = "h:mm"
    return book


def subjects_workbook() -> Workbook:
    """A per-subject hour report: one row per pupil, subject and month, hours as numbers, the percentage as
    text with its "%" sign, a blank row and a class total at the bottom."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Assenze per materia"
    sheet.append(["Prospetto assenze orarie per disciplina - classe 2E - ottobre e novembre 2025"])
    sheet.append([])
    sheet.append(["Codice studente", "Classe", "Mese", "Disciplina", "Monte ore", "Ore di assenza", "% assenze"])
    hours = {("W2E01", "ottobre 2025"): {"Italiano": (20, 3), "Matematica": (16, 2.5), "Scienze": (8, 0)},
             ("W2E02", "ottobre 2025"): {"Italiano": (20, 6), "Matematica": (16, 6), "Scienze": (8, 4)},
             ("W2E01", "novembre 2025"): {"Italiano": (16, 1), "Matematica": (12, 0), "Scienze": (8, 2)},
             ("W2E02", "novembre 2025"): {"Italiano": (16, 8), "Matematica": (12, 7.5), "Scienze": (8, 2)}}
    for (code, month), subjects in hours.items():
        for subject, (lessons, absent) in subjects.items():
            share = f"{absent / lessons * 100:.1f}%".replace(".", ",")
            sheet.append([code, "2E", month, subject, lessons, absent, share])
    sheet.append([])
    sheet.append(["Totale classe", "2E", None, None, 160, 42, "26,3%"])
    return book


FILES = {"axios_prospetto_2A.xlsx": monthly_workbook, "eventi_4B.xlsx": events_workbook,
         "axios_materie_2E.xlsx": subjects_workbook}

if __name__ == "__main__":
    for name, build in FILES.items():
        build().save(HERE / name)
        print(f"Scritto {HERE / name}")
