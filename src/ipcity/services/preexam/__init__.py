"""Fast pre-examination of patent applications at a protection centre (专利快速预审)."""
