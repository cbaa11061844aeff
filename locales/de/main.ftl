# Callhub, Deutsch (dieselben Schlüssel wie locales/en/main.ftl). Siehe README "Languages".

## Fehler nach Code (app::protocol::ErrorCode) und Fehler ohne Code

error-network = Der Server ist nicht erreichbar. Bitte die Verbindung prüfen.
error-signed-out = Ihre Sitzung ist beendet. Bitte melden Sie sich erneut an.
error-not-here = Hier nicht verfügbar.
error-status = Etwas ist schiefgegangen ({ $status }).
error-unknown = Etwas ist schiefgegangen. Bitte versuchen Sie es erneut.
error-parse_error = Die Anfrage konnte nicht gelesen werden.
error-invalid = Dieser Wert ist ungültig.
error-not_authenticated = Bitte melden Sie sich an.
error-token_not_valid = Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an.
error-invalid_credentials = Benutzername oder Passwort ist falsch.
error-user_not_found = Dieses Konto gibt es nicht mehr.
error-not_your_role = Das ist bei diesem Anruf nicht möglich.
error-origin_not_allowed = Diese Seite darf sich von hier aus nicht verbinden.
error-not_found = Nicht gefunden.
error-method_not_allowed = Diese Aktion ist nicht möglich.
error-unsupported_media_type = Diese Art von Datei wird nicht angenommen.
error-payload_too_large = Diese Datei ist zu groß.
error-rate_limited = Zu viele Versuche. Bitte warten Sie einen Moment und versuchen Sie es erneut.
error-unavailable = Der Dienst ist gerade ausgelastet. Bitte versuchen Sie es gleich noch einmal.
error-internal = Auf dem Server ist etwas schiefgegangen.
error-busy = Die Person ist in einem anderen Anruf.
error-call_changed = Der Anruf hat sich inzwischen geändert.
error-message_exists = Zu diesem Anruf wurde bereits eine Nachricht hinterlassen.
error-report_refused = Dieser Anruf nimmt Ihren Verbindungsbericht nicht an (bereits gesendet, oder der Anruf ist keiner, über den berichtet werden kann).
error-limit_reached = Sie haben die Höchstzahl erreicht.
error-required = Dieses Feld ist erforderlich.
error-not_null = Dieses Feld ist erforderlich.
error-not_a_string = Bitte hier Text eingeben.
error-blank = Dieses Feld darf nicht leer sein.
error-too_long = Das ist zu lang.
error-invalid_choice = Bitte eine der Möglichkeiten wählen.
error-invalid_integer = Bitte eine ganze Zahl eingeben.
error-invalid_username = Nur Buchstaben, Ziffern und @ . + - _ verwenden.
error-invalid_email = Bitte eine gültige E-Mail-Adresse eingeben.
error-password_too_short = Dieses Passwort ist zu kurz: mindestens 8 Zeichen.
error-password_too_common = Dieses Passwort ist zu verbreitet.
error-password_numeric = Dieses Passwort besteht nur aus Ziffern.
error-password_too_similar = Dieses Passwort ähnelt zu sehr Ihrem Benutzernamen oder Ihrer E-Mail-Adresse.
error-password_mismatch = Die Passwörter stimmen nicht überein.
error-username_taken = Dieser Benutzername ist schon vergeben.
error-email_taken = Diese E-Mail-Adresse ist schon registriert.
error-unknown_user = Diese Person gibt es nicht.
error-not_yourself = Das geht nicht mit Ihnen selbst.
error-unblock_first = Heben Sie zuerst die Blockierung dieser Person auf.
error-invalid_picture = Bitte ein PNG-, JPEG- oder WebP-Bild mit höchstens 16 Megapixeln hochladen.
error-invalid_message = Die Aufnahme ist ungültig.
error-invalid_time = Bitte einen Zeitpunkt in der Zukunft wählen.

## Zeiten

ago-now = gerade eben
ago-minutes = vor { $count } Min.
ago-hours = vor { $count } Std.
ago-yesterday = gestern
ago-days = { $count ->
    [one] vor { $count } Tag
   *[other] vor { $count } Tagen
}

## Navigation

nav-main = Hauptmenü
nav-sign-in = Anmelden
nav-sign-up = Registrieren
nav-contacts = Kontakte
nav-history = Verlauf
nav-missed = { $count ->
    [one] { $count } verpasster Anruf
   *[other] { $count } verpasste Anrufe
}
nav-dnd = Nicht stören
nav-connected = Verbunden: eingehende Anrufe klingeln hier
nav-reconnecting = Verbindung wird wiederhergestellt…
nav-sign-out = Abmelden

## Startseite

home-lead = Audio- und Videoanrufe mit Ihren Kontakten, direkt im Browser.
home-feature-online = Sehen, wer online ist
home-feature-tabs = Jeder offene Tab klingelt
home-feature-missed = Keinen Anruf mehr verpassen
home-create-account = Konto erstellen

## Seiten allgemein

loading = Wird geladen…
not-found-title = Seite nicht gefunden
not-found-back = Zurück zur Startseite

## Anmelden und Registrieren

field-username = Benutzername
field-email = E-Mail
field-password = Passwort
field-password-confirm = Passwort bestätigen
signin-wrong = Benutzername oder Passwort ist falsch.
signin-throttled = Zu viele Anmeldeversuche. Bitte warten Sie eine Minute und versuchen Sie es erneut.
signin-missing = Bitte Benutzername und Passwort eingeben.
signin-pending = Anmeldung läuft…
signin-new-here = Neu hier?
signup-title = Konto erstellen
signup-pending = Wird erstellt…
signup-have-account = Schon ein Konto?

## Kontakte

dismiss = Schließen
contacts-mine = Meine Kontakte
contacts-loading = Kontakte werden geladen…
contacts-none = Noch keine Kontakte.
contacts-none-help = Suchen Sie unter „Personen finden“ nach jemandem und tippen Sie auf Hinzufügen. Sie können Personen auch aus Ihrem Anrufverlauf oder während eines Anrufs hinzufügen. Markieren Sie Favoriten mit dem Stern, damit sie oben bleiben.
contacts-find = Personen finden
contacts-search-label = Personen suchen
contacts-search-placeholder = Nach Namen suchen…
contacts-nobody = Noch ist niemand sonst hier. Laden Sie jemanden ein, sich zu registrieren!
contacts-no-match = Niemand passt zu „{ $query }“.
presence-online = Online
presence-offline = Offline
presence-last-seen = Zuletzt gesehen { $ago }
contacts-favourite = { $name } zu den Favoriten hinzufügen
contacts-unfavourite = { $name } aus den Favoriten entfernen
contacts-remove-label = { $name } aus Ihren Kontakten entfernen
contacts-remove = Entfernen
call-audio-button = Audio
call-video-button = Video
call-audio-with = Audioanruf mit { $name }
call-video-with = Videoanruf mit { $name }

## Anrufe: warum sie endeten, ihr Status

reason-cancelled = Vom Anrufer abgebrochen
reason-rejected = Abgelehnt
reason-busy = In einem anderen Anruf
reason-timeout = Keine Antwort
reason-hangup-caller = Anrufer hat aufgelegt
reason-hangup-receiver = Angerufener hat aufgelegt
reason-connection-lost = Verbindung verloren
reason-answered-elsewhere = Auf einem anderen Gerät angenommen
reason-server-restart = Durch einen Neustart des Servers unterbrochen
reason-do-not-disturb = Nicht stören
status-initiated = Anruf wird aufgebaut
status-ringing = Klingelt
status-accepted = Läuft
status-rejected = Abgelehnt
status-ended = Beendet
status-missed = Verpasst
status-cancelled = Abgebrochen

## Verlauf

history-title = Anrufverlauf
history-tabs = Welche Anrufe
history-tab-all = Alle
history-tab-missed = Verpasst
history-loading = Anrufe werden geladen…
history-none-missed = Keine verpassten Anrufe.
history-none = Noch keine Anrufe.
history-outgoing = Ausgehend
history-incoming = Eingehend
history-duration = Dauer { $duration }
history-call-back = Zurückrufen
history-call-back-audio = { $name } zurückrufen (Audio)
history-call-back-video = { $name } zurückrufen (Video)

## Profil: wer Sie erreichen kann, Nicht stören, blockierte Personen

settings-not-saved = Nicht gespeichert: { $error }
privacy-saved-calls-everyone = Gespeichert: alle können Sie anrufen.
privacy-saved-calls-contacts = Gespeichert: nur Ihre Kontakte können Sie anrufen.
privacy-saved-presence-everyone = Gespeichert: alle sehen, wann Sie online sind.
privacy-saved-presence-contacts = Gespeichert: nur Ihre Kontakte sehen, wann Sie online sind.
privacy-saved-presence-nobody = Gespeichert: niemand sieht, wann Sie online sind.
privacy-reach-title = Wer Sie erreichen kann
privacy-who-calls = Wer mich anrufen darf
privacy-who-sees = Wer sieht, wann ich online bin
privacy-everyone = Alle
privacy-contacts = Meine Kontakte
privacy-nobody = Niemand
privacy-screened-help = Anrufe von Personen, die Sie nicht anrufen dürfen, klingeln nicht; für sie sieht es so aus, als hätten Sie nicht geantwortet.
dnd-off-status = Aus: Anrufe klingeln wie gewohnt.
dnd-saved-off = „Nicht stören“ ist aus.
dnd-saved-on = „Nicht stören“ ist an.
dnd-help = Solange es an ist, klingeln Anrufe nicht: Sie landen bei Ihren verpassten Anrufen, und der Anrufer hört, dass Sie beschäftigt sind.
blocked-unblocked = Blockierung von { $name } aufgehoben.
blocked-unblock-failed = Blockierung von { $name } konnte nicht aufgehoben werden: { $error }
blocked-title = Blockierte Personen
blocked-none = Niemand. Blockieren Sie jemanden über seinen eingehenden Anruf (Ablehnen und blockieren).
blocked-unblock-label = Blockierung von { $name } aufheben
blocked-unblock = Blockierung aufheben
dnd-choice-off = Aus
dnd-choice-hour = Für 1 Stunde
dnd-choice-morning = Bis morgen 08:00
dnd-choice-on = Bis ich es ausschalte
dnd-until = Nicht stören bis { $until }
dnd-until-off = Nicht stören, bis Sie es ausschalten
dnd-tomorrow = morgen { $clock }

## Profil

profile-title = Profil
profile-status = Status
profile-connecting = Verbindung wird aufgebaut…
profile-picture-updated = Bild aktualisiert.
profile-picture-removed = Bild entfernt.
profile-picture-change = Bild ändern
profile-picture-upload = Bild hochladen
profile-picture-remove = Bild entfernen
profile-picture-help = PNG, JPEG oder WebP, bis 5 MiB.
theme-title = Darstellung
theme-legend = Design in diesem Browser
theme-system = Wie dieses Gerät
theme-light = Hell
theme-dark = Dunkel
theme-showing-light = Das helle Design wird angezeigt.
theme-showing-dark = Das dunkle Design wird angezeigt.
language-title = Sprache
language-legend = Sprache in diesem Browser
language-browser = Wie dieser Browser
language-name-en = English
language-name-de = Deutsch
language-name-fr = Français
language-showing = Angezeigt wird { $language }.
profile-notifications = Benachrichtigungen für Anrufe
profile-privacy = Privatsphäre
profile-relay = Anrufe über den Server leiten
profile-relay-help = Die andere Person erfährt dann nie Ihre IP-Adressen, dafür ist der Weg länger. Gilt ab Ihrem nächsten Anruf in diesem Browser.
profile-relay-unavailable = Dieser Server bietet kein TURN-Relay: Solange dies an ist, kommen keine Anrufe zustande.

## Anrufen

avatar-alt = Bild von { $name }
dial-busy = { $name } ist in einem anderen Anruf
dial-busy-now = { $name } ist gerade beschäftigt
dial-failed = { $name } konnte nicht angerufen werden: { $error }
voicemail-leave = Nachricht hinterlassen

## Der eingehende Anruf

incoming-audio = Eingehender Audioanruf
incoming-video = Eingehender Videoanruf
incoming-audio-from = Eingehender Audioanruf von { $name }
incoming-video-from = Eingehender Videoanruf von { $name }
incoming-block-failed = { $name } konnte nicht blockiert werden: { $error }
incoming-sound-blocked = Ihr Browser hält den Klingelton zurück.
incoming-enable-sound = Ton einschalten
incoming-decline-label = Anruf von { $name } ablehnen
incoming-decline = Ablehnen
incoming-accept-audio = Audioanruf von { $name } annehmen
incoming-accept-video = Videoanruf von { $name } annehmen
incoming-accept = Annehmen
incoming-decline-block-ask = Ablehnen und blockieren…
incoming-block-title = { $name } blockieren?
incoming-block-help = Die Anrufe dieser Person klingeln bei Ihnen nicht mehr, und sie sieht nicht mehr, wann Sie online sind. Sie wird nicht benachrichtigt. Sie können die Blockierung in Ihrem Profil aufheben.
incoming-back = Zurück
incoming-decline-block = Ablehnen und blockieren

## Benachrichtigungen und der blinkende Titel

notice-calling = { $name } ruft an
notice-missed-from = Verpasster Anruf von { $name }
notice-missed-audio = Verpasster Audioanruf
notice-missed-video = Verpasster Videoanruf
notice-flash-title = Eingehender Anruf: { $name }
notifications-ask = Erhalten Sie eine Benachrichtigung, wenn jemand anruft, während Callhub im Hintergrund ist, und eine für jeden Anruf, den Sie in der Zeit verpasst haben.
notifications-granted = An: Anrufe, die klingeln, während Callhub im Hintergrund ist, zeigen eine Benachrichtigung.
notifications-denied = In den Website-Einstellungen dieses Browsers blockiert: Erlauben Sie dort Benachrichtigungen für diese Website, um sie zu erhalten.
notifications-unsupported = Dieser Browser kann für diese Website keine Benachrichtigungen anzeigen.
contacts-added = ✓ Hinzugefügt
contacts-add-label = { $name } zu Ihren Kontakten hinzufügen
contacts-add = + Hinzufügen
notifications-enable = Benachrichtigungen für Anrufe einschalten

## Nachrichten, wenn niemand antwortet

voicemail-left = noch { $clock }
voicemail-title = { $name } eine Nachricht hinterlassen
voicemail-limit = Bis zu 30 Sekunden.
voicemail-sent = Nachricht gesendet.
voicemail-record-again = Neu aufnehmen
voicemail-record = Nachricht aufnehmen
voicemail-stop = Stopp
voicemail-send = Senden
voicemail-watching = Wir sagen Ihnen Bescheid, wenn { $name } frei ist.
voicemail-tell-me = Sagen Sie mir, wenn die Person frei ist
voicemail-free-now = { $name } ist jetzt frei
voicemail-free-body = Zum Anrufen klicken.
voicemail-call = { $name } anrufen
voicemail-message = Nachricht
voicemail-new-message = Neue Nachricht
voicemail-play = Abspielen
voicemail-cannot-play = Die Nachricht kann hier nicht abgespielt werden.
voicemail-open-in-browser = Öffnen Sie diese Seite in einem Browser.
voicemail-cannot-record = Dieser Browser kann keine Nachricht aufnehmen.
voicemail-cannot-start = Die Aufnahme konnte nicht starten.

## Im Anruf: Geräte

device-microphone = Mikrofon
device-camera = Kamera
device-speaker = Lautsprecher
device-numbered = { $device } { $number }
device-default = Standard
device-lost-microphone = Ihr Mikrofon wurde getrennt: Der Anruf geht mit dem Standardmikrofon weiter.
device-lost-camera = Ihre Kamera wurde getrennt: Der Anruf geht mit der Standardkamera weiter.
device-lost-speaker = Ihr Lautsprecher wurde getrennt: Der Anruf geht mit dem Standardlautsprecher weiter.
device-failed-microphone = Dieses Mikrofon lässt sich nicht starten ({ $error }): Der Anruf behält das bisherige.
device-failed-camera = Diese Kamera lässt sich nicht starten ({ $error }): Der Anruf behält die bisherige.
device-failed-speaker = Dieser Lautsprecher lässt sich nicht starten ({ $error }): Der Anruf behält den bisherigen.

## Im Anruf: Verbindungsqualität

quality-measuring = wird gemessen
quality-good = gut
quality-fair = mittel
quality-poor = schlecht
quality-label-yours = Ihre Verbindung: { $grade }
quality-label-other = Verbindung von { $name }: { $grade }
quality-poor-both = Ihre Verbindung und die von { $name } sind schlecht
quality-poor-yours = Ihre Verbindung ist schlecht
quality-poor-other = Die Verbindung von { $name } ist schlecht

## Im Anruf: Chat und Tastenkürzel

chat = Chat
chat-unread = Chat, { $count } ungelesen
shortcut-mute = Mikrofon stumm- oder lautschalten
shortcut-camera = Kamera aus- oder einschalten
shortcut-share = Bildschirm teilen oder Teilen beenden
shortcut-help = Diese Tastenkürzel zeigen oder verbergen

## Die Anrufseite

outcome-declined = { $name } hat abgelehnt
outcome-you-declined = Sie haben diesen Anruf abgelehnt
outcome-busy = { $name } ist beschäftigt
outcome-cancelled = Anruf abgebrochen
outcome-they-cancelled = { $name } hat den Anruf abgebrochen
outcome-ended = Anruf beendet
outcome-ended-lost = Anruf beendet (Verbindung verloren)
outcome-ended-after = Anruf beendet nach { $duration }
outcome-ended-after-lost = Anruf beendet nach { $duration } (Verbindung verloren)
link-connecting = Verbindung wird aufgebaut…
link-waiting = Warten auf { $name }…
link-connected = Verbunden
say-calling = { $name } wird angerufen, es klingelt
say-incoming = Eingehender Anruf von { $name }
call-back-to-contacts = Zurück zu den Kontakten
call-kind-video = Videoanruf
call-kind-audio = Audioanruf
call-ringing = Es klingelt…
call-cancel = Abbrechen
call-incoming = Eingehender Anruf…
call-you = Sie
shortcuts-title = Tastenkürzel
close = Schließen
chat-message = Nachricht
call-devices = Geräte
call-camera-off = { $name } hat die Kamera ausgeschaltet
call-muted = { $name } hat das Mikrofon stummgeschaltet
call-mute = Stumm
call-unmute = Ton an
call-camera-turn-off = Kamera aus
call-camera-turn-on = Kamera an
call-video-on = Kamera einschalten
call-video-off = Kamera ausschalten
call-camera-screen-instead = Stattdessen wird der geteilte Bildschirm gesendet
call-video-unavailable = Dieser Anruf kann kein Video übertragen: Starten Sie stattdessen einen Videoanruf.
call-video-failed = Ihre Kamera lässt sich nicht starten ({ $error }).
call-share = Bildschirm teilen
call-stop-sharing = Teilen beenden
call-hang-up = Auflegen

## Die Anrufseite: Kamera, Mikrofon, Relay

media-no-camera = Keine Kamera verfügbar: Die andere Seite hört Sie, kann Sie aber nicht sehen.
media-denied-both = Callhub darf Ihr Mikrofon und Ihre Kamera nicht verwenden. Erlauben Sie den Zugriff in den Website-Einstellungen Ihres Browsers und laden Sie die Seite dann neu.
media-denied-microphone = Callhub darf Ihr Mikrofon nicht verwenden. Erlauben Sie den Zugriff in den Website-Einstellungen Ihres Browsers und laden Sie die Seite dann neu.
media-missing-both = Kein Mikrofon und keine Kamera gefunden. Schließen Sie eines an und laden Sie die Seite dann neu.
media-missing-microphone = Kein Mikrofon gefunden. Schließen Sie eines an und laden Sie die Seite dann neu.
media-in-use-both = Mikrofon und Kamera lassen sich nicht starten: Vielleicht verwendet sie gerade ein anderes Programm.
media-in-use-microphone = Ihr Mikrofon lässt sich nicht starten: Vielleicht verwendet es gerade ein anderes Programm.
media-insecure = Dieser Browser kann hier weder Ton noch Bild aufnehmen (Anrufe brauchen eine sichere https-Seite).
media-failed-both = Mikrofon und Kamera lassen sich nicht starten ({ $error }).
media-failed-microphone = Ihr Mikrofon lässt sich nicht starten ({ $error }).
relay-none = In Ihrem Profil ist „Anrufe über den Server leiten“ an, aber dieser Server bietet kein TURN-Relay, daher kommt der Anruf nicht zustande. Schalten Sie es in Ihrem Profil aus, um direkt zu verbinden.
relay-unreachable = In Ihrem Profil ist „Anrufe über den Server leiten“ an, aber das TURN-Relay des Servers ist von hier aus nicht erreichbar (es hat diesem Browser keine Relay-Adresse gegeben), daher kommt der Anruf nicht zustande. Es wird weiter versucht; schalten Sie es in Ihrem Profil aus, damit der Anruf direkt verbindet.
call-no-such-call = Diesen Anruf gibt es nicht.
call-sign-in = Bitte melden Sie sich an, um an diesem Anruf teilzunehmen.

## The per-call report, the device check, picture-in-picture (issue 19)
report-you = Sie
report-who = { $name }:
report-none = kein Bericht
report-aria = Verbindungsbericht
report-details = Verbindungsdetails
report-caption = Die Verbindung beider Seiten während des Anrufs
report-path-direct = Direkt
report-path-relayed-hidden = Über Relay (IP verborgen)
report-path-relayed = Über Relay
report-path-none = Nie verbunden
report-ms = { $ms } ms
report-loss = { $percent } Verlust
report-worst = schlechteste: { $grade }
report-reconnects = { $count ->
    [one] 1 Neuverbindung
   *[other] { $count } Neuverbindungen
}
report-yes = Ja
report-no = Nein
report-label-path = Medienweg
report-label-ip-hidden = IP-Adresse vor der anderen Person verborgen
report-label-rtt = Durchschnittliche Umlaufzeit
report-label-jitter = Durchschnittlicher Jitter
report-label-loss = Verlorene Pakete
report-label-worst = Schlechteste Qualität
report-label-reconnects = Neuverbindungen
report-label-connected = Verbunden
report-label-samples = Messungen
check-start = Kamera, Mikrofon und Lautsprecher prüfen
check-stop = Geräteprüfung beenden
check-camera = Ihre Kamera
check-devices = Zu prüfende Geräte
check-level = Mikrofonpegel
check-speak = Sprechen Sie: Der Balken sollte sich bewegen.
check-tone = Testton abspielen
check-title = Kamera, Mikrofon und Lautsprecher
check-intro = Prüfen Sie sie vor einem Anruf. Was Sie hier wählen, verwenden Ihre Anrufe in diesem Browser.
check-failed = Dieses Gerät lässt sich nicht starten ({ $error }).
pip-open = Bild im Bild
pip-close = Zurück zur Seite
