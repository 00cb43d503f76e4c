' GET ENV of a secret named by literals joined with & is not a literal name:
' the checker does not vet it, so the run does (GET ENV skips its own check
' only for a plain literal, which the checker vetted).
ON WEBHOOK POST TO "/t" DO
  PRINT GET ENV "SMTP_" & "password"
END ON
