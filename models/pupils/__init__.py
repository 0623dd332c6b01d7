"""Register files in, stored attendance and context out; retention."""
