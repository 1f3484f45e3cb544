"""The rights-protection network (维权援助"全市一张网"): complaints, adjudication, mediation, fairs, overseas."""
