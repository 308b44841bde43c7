// The reset_password page (to be written).
