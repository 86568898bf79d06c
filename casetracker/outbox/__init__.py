"""Messages the product has decided to send, kept until a transport delivers them."""
