// Server error codes (the body's "error") turned into words, in every language. A code the
// UI does not know falls back to a sentence for its HTTP status, never to the server's English.
import { ApiError } from "../api";
import { dictionary, fmtTime, lookup, t } from "./core";

const en = {
  err_network: "No connection to the server. Check the network; the page retries by itself.",
  err_version_conflict: "Someone else changed this incident a moment ago. The card now shows what they did: check it and try again.",
  err_invalid_transition: "This step is no longer possible: the incident has moved on. The card is up to date now.",
  err_forbidden: "Your role does not allow this.",
  err_not_found: "Not found (it may be out of your agency's view).",
  err_validation_error: "Some fields are not filled in correctly.",
  err_unauthorized: "Your session has ended. Sign in again.",
  err_ops_unavailable: "The operations centre is not running on this server.",
  err_anonymisation_unavailable: "This picture cannot be shown: face blurring is not available.",
  err_totp_enrolment_required: "Set up the second factor first.",
  err_internal_error: "The server failed. Try again; if it repeats, tell the administrator.",
  err_login_failed: "Wrong name, password or code.",
  err_totp_invalid: "Wrong code. Check the phone's clock and type the current code.",
  err_totp_reused: "This code has already been used. Wait for the next code (up to 30 s) and type it.",
  err_totp_required: "Type the 6-digit code from the authenticator app.",
  err_locked: "The account is locked after failed sign-ins until {until}.",
  err_locked_unknown: "The account is locked after failed sign-ins. Try again later or ask an administrator.",
  err_too_many_attempts: "Too many failed sign-ins. Try again at {until}.",
  err_weak_password: "The new password does not meet the rules above.",
  err_not_owner: "The incident is owned by another agency: only its operators can take this step.",
  err_unknown_agency: "That agency does not exist (any more). Choose another.",
  err_unknown_item: "This checklist item is no longer part of the procedure.",
  err_unknown_action: "This step is not known to the server.",
  err_note_required: "Write a note first.",
  status_400: "The request was refused.", status_401: "Your session has ended. Sign in again.",
  status_403: "Your role does not allow this.", status_404: "Not found.",
  status_409: "Someone else changed this a moment ago. The view is up to date now: try again.",
  status_422: "Some fields are not filled in correctly.", status_429: "Too many attempts. Wait a little.",
  status_500: "The server failed. Try again; if it repeats, tell the administrator.",
  status_503: "The service is not available right now.",
  status_other: "Something went wrong (code {code}).",
};

export const te = dictionary({
  en,
  ru: {
    err_network: "Нет связи с сервером. Проверьте сеть; страница повторит попытку сама.",
    err_version_conflict: "Кто-то другой только что изменил этот инцидент. В карточке теперь видно, что он сделал: проверьте и повторите.",
    err_invalid_transition: "Этот шаг уже невозможен: инцидент перешёл дальше. Карточка обновлена.",
    err_forbidden: "Ваша роль не позволяет этого.",
    err_not_found: "Не найдено (возможно, вне зоны видимости вашего ведомства).",
    err_validation_error: "Некоторые поля заполнены неверно.",
    err_unauthorized: "Сеанс завершён. Войдите снова.",
    err_ops_unavailable: "Ситуационный центр на этом сервере не запущен.",
    err_anonymisation_unavailable: "Изображение нельзя показать: размытие лиц недоступно.",
    err_totp_enrolment_required: "Сначала настройте второй фактор.",
    err_internal_error: "Ошибка сервера. Повторите; если повторяется, сообщите администратору.",
    err_login_failed: "Неверное имя, пароль или код.",
    err_totp_invalid: "Неверный код. Проверьте часы телефона и введите текущий код.",
    err_totp_reused: "Этот код уже использован. Дождитесь следующего кода (до 30 с) и введите его.",
    err_totp_required: "Введите 6-значный код из приложения-аутентификатора.",
    err_locked: "Учётная запись заблокирована после неудачных попыток входа до {until}.",
    err_locked_unknown: "Учётная запись заблокирована после неудачных попыток входа. Повторите позже или обратитесь к администратору.",
    err_too_many_attempts: "Слишком много неудачных попыток входа. Повторите в {until}.",
    err_weak_password: "Новый пароль не соответствует правилам выше.",
    err_not_owner: "Инцидент принадлежит другому ведомству: этот шаг могут сделать только его операторы.",
    err_unknown_agency: "Такого ведомства нет (больше нет). Выберите другое.",
    err_unknown_item: "Этого пункта больше нет в порядке действий.",
    err_unknown_action: "Сервер не знает такого шага.",
    err_note_required: "Сначала напишите заметку.",
    status_400: "Запрос отклонён.", status_401: "Сеанс завершён. Войдите снова.",
    status_403: "Ваша роль не позволяет этого.", status_404: "Не найдено.",
    status_409: "Кто-то другой только что изменил это. Данные обновлены: повторите.",
    status_422: "Некоторые поля заполнены неверно.", status_429: "Слишком много попыток. Подождите немного.",
    status_500: "Ошибка сервера. Повторите; если повторяется, сообщите администратору.",
    status_503: "Сервис сейчас недоступен.",
    status_other: "Что-то пошло не так (код {code}).",
  },
  kk: {
    err_network: "Сервермен байланыс жоқ. Желіні тексеріңіз; бет өзі қайта әрекет етеді.",
    err_version_conflict: "Бұл инцидентті жаңа ғана басқа біреу өзгертті. Карточкада оның не істегені көрінеді: тексеріп, қайталаңыз.",
    err_invalid_transition: "Бұл қадам енді мүмкін емес: инцидент алға жылжыды. Карточка жаңартылды.",
    err_forbidden: "Рөліңіз бұған рұқсат бермейді.",
    err_not_found: "Табылмады (ведомствоңыздың көру аймағынан тыс болуы мүмкін).",
    err_validation_error: "Кейбір өрістер дұрыс толтырылмаған.",
    err_unauthorized: "Сеанс аяқталды. Қайта кіріңіз.",
    err_ops_unavailable: "Бұл серверде жағдайлық орталық іске қосылмаған.",
    err_anonymisation_unavailable: "Кескінді көрсету мүмкін емес: беттерді бұлдырату қолжетімсіз.",
    err_totp_enrolment_required: "Алдымен екінші факторды баптаңыз.",
    err_internal_error: "Сервер қатесі. Қайталаңыз; қайталанса, әкімшіге хабарлаңыз.",
    err_login_failed: "Аты, құпиясөз немесе код қате.",
    err_totp_invalid: "Код қате. Телефон сағатын тексеріп, ағымдағы кодты теріңіз.",
    err_totp_reused: "Бұл код бұрын пайдаланылған. Келесі кодты күтіп (30 с дейін), соны теріңіз.",
    err_totp_required: "Аутентификатор қосымшасындағы 6 таңбалы кодты теріңіз.",
    err_locked: "Сәтсіз кіру әрекеттерінен кейін есептік жазба {until} дейін бұғатталды.",
    err_locked_unknown: "Сәтсіз кіру әрекеттерінен кейін есептік жазба бұғатталды. Кейінірек қайталаңыз немесе әкімшіге жүгініңіз.",
    err_too_many_attempts: "Сәтсіз кіру әрекеттері тым көп. {until} қайталаңыз.",
    err_weak_password: "Жаңа құпиясөз жоғарыдағы ережелерге сай емес.",
    err_not_owner: "Инцидент басқа ведомствоға тиесілі: бұл қадамды тек оның операторлары жасай алады.",
    err_unknown_agency: "Мұндай ведомство жоқ (енді жоқ). Басқасын таңдаңыз.",
    err_unknown_item: "Бұл тармақ әрекет тәртібінде енді жоқ.",
    err_unknown_action: "Сервер мұндай қадамды білмейді.",
    err_note_required: "Алдымен жазба жазыңыз.",
    status_400: "Сұрау қабылданбады.", status_401: "Сеанс аяқталды. Қайта кіріңіз.",
    status_403: "Рөліңіз бұған рұқсат бермейді.", status_404: "Табылмады.",
    status_409: "Мұны жаңа ғана басқа біреу өзгертті. Деректер жаңартылды: қайталаңыз.",
    status_422: "Кейбір өрістер дұрыс толтырылмаған.", status_429: "Әрекеттер тым көп. Біраз күтіңіз.",
    status_500: "Сервер қатесі. Қайталаңыз; қайталанса, әкімшіге хабарлаңыз.",
    status_503: "Қызмет қазір қолжетімсіз.",
    status_other: "Бірдеңе дұрыс болмады (код {code}).",
  },
});

const ALIASES: Record<string, string> = {
  incident_conflict: "version_conflict", incident_changed: "version_conflict", stale_version: "version_conflict",
  bad_state: "invalid_transition", invalid_step: "invalid_transition",
  account_locked: "locked", totp_replayed: "totp_reused", weak_password: "weak_password",
};

/** Words for any failure: the server's code if known, else its HTTP status, never its English. */
export function errorText(e: unknown): string {
  if (!(e instanceof ApiError)) return t("status_other", { code: "?" });
  const code = ALIASES[e.code] ?? e.code;
  if (code === "locked" || code === "too_many_attempts") {
    const until = typeof e.body.until === "string" ? Date.parse(e.body.until)
      : e.retryAfter ? Date.now() + e.retryAfter * 1000 : NaN;
    if (Number.isFinite(until)) return t(code === "locked" ? "err_locked" : "err_too_many_attempts",
                                         { until: fmtTime(until) });
    return t("err_locked_unknown");
  }
  if (lookup(`err_${code}`) !== undefined) return t(`err_${code}`);
  if (e.status === 0) return t("err_network");
  if (lookup(`status_${e.status}`) !== undefined) return t(`status_${e.status}`);
  return t("status_other", { code: e.status });
}
