' GET ENV of a secret of the server, named by a literal, is a check error.
ON WEBHOOK POST TO "/t" DO
  PRINT GET ENV "SMTP_PASSWORD"
END ON
