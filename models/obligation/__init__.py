"""The compulsory-education duty (art. 114 c. 4 D.Lgs. 297/1994): detection, procedure, figures."""
