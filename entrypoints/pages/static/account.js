// The account page (to be written).
