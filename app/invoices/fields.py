"""Field types of the invoice schemas that app/api/types.py does not have."""

from app.api.types import decimal_text

# Seller's currency per unit of the invoice's currency (NOK per SEK, say).
ExchangeRate = decimal_text(
    r"^\d{1,6}(\.\d{1,6})?$", "an exchange rate with up to six decimals", "0.987654"
)
