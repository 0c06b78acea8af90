/** One message per error code. */
import { translation } from '../translation.js';
import type { errors as english } from './en-US.js';

export const errors = translation<typeof english>()({
  unknown: '我們這邊出了點問題。請稍後再試；如果一直發生，請告訴管理員並附上參考編號。',
  aborted: '操作在完成前就被中止了。',

  prompt_empty: '提示詞是空的。請描述你想看到的畫面，例如「3 張黃昏時的燈塔」。',
  prompt_too_long: '提示詞有 {length} 個字元，上限是 {max} 個。請縮短後再試一次。',
  prompt_too_long_with_count:
    '加上圖片張數的說明後，提示詞超過 {max} 字元的上限 {needed} 個字元。請刪減 {needed} 個字元，或直接在提示詞裡寫明張數（例如「4 張……」）。',
  count_out_of_range: '你要求了 {requested} 張圖片；請選擇 {min} 到 {max} 之間的數量。',
  count_not_number: '「{count}」不是張數。請填寫 {min} 到 {max} 之間的整數。',
  stated_count_out_of_range: '提示詞要求 {stated} 張圖片，但每次只能生成 {min} 到 {max} 張。請修改提示詞裡的張數。',
  count_mismatch: '提示詞寫的是 {stated} 張，但張數選項是 {requested} 張。請讓兩者一致，或不要填張數選項。',
  ambiguous_count: '提示詞裡提到了不只一種張數（{counts}）。請只保留一個，才知道要生成幾張。',
  aspect_unknown: '這個模型沒有「{aspect}」這種長寬比。請從以下選擇：{allowed}。',
  seed_invalid: '種子必須是 {min} 到 {max} 之間的整數（你輸入的是「{seed}」）。不填的話會隨機產生。',
  quality_unknown: '「{quality}」不是有效的品質設定。請從以下選擇：{allowed}。',
  admission_inconsistent:
    '機器人剛才無法記下你的請求（它的紀錄不一致），所以沒有送出，也沒有計費。請再試一次；若一直發生，請告訴管理員。',
  store_not_redis: '機器人的設定有誤（它的資料儲存），暫時無法接受請求。請告訴管理員。',
  internal_input_invalid: '機器人組出了一個無法送出的請求。這是我們這邊的錯誤，不是你的提示詞有問題；請告訴管理員。',
  option_missing: '指令缺少必填選項「{option}」。請從 Discord 的指令選單重新執行。',
  option_invalid: '選項「{option}」的格式不是這個指令接受的。請從 Discord 的指令選單重新執行。',

  runcomfy_auth: 'RunComfy 拒絕了機器人的金鑰，所以沒有生成任何圖片。請告訴管理員。',
  runcomfy_insufficient_balance: '機器人的 RunComfy 帳戶餘額不足，所以沒有生成任何圖片。請告訴管理員。',
  runcomfy_not_found: 'RunComfy 已經找不到這個請求，可能已經過期或被刪除。',
  runcomfy_validation: 'RunComfy 不接受這個請求（請檢查：{fields}）。請調整選項後再試一次。',
  runcomfy_model_unknown: '機器人設定使用的圖片模型在 RunComfy 上不存在。請告訴管理員。',
  runcomfy_rate_limited: 'RunComfy 目前收到太多請求。請等一分鐘後再試。',
  runcomfy_server: 'RunComfy 目前發生問題。請過幾分鐘再試。',
  runcomfy_network: '目前連不上 RunComfy。請過幾分鐘再試。',
  runcomfy_timeout: 'RunComfy 太久沒有回應。請過幾分鐘再試。',
  runcomfy_unexpected_response: 'RunComfy 回傳了機器人看不懂的內容。請稍後再試；如果一直發生，請告訴管理員。',
  runcomfy_response_too_large:
    'RunComfy 回傳的內容遠大於正常大小，所以機器人沒有讀取。請稍後再試；如果一直發生，請告訴管理員。',
  runcomfy_submit_uncertain:
    '你的請求已送到 RunComfy，但沒有收到明確的回覆（連線中斷，或 RunComfy 發生錯誤），所以它可能已經在那裡開始執行。系統沒有再次送出，因此不會重複收費；但因為 RunComfy 可能已經收費，這次仍會計入你的額度。再試一次之前，請先用 /jobs 查看。',

  user_active_limit: '你已經有 {active} 個生成工作正在進行（上限是 {limit} 個）。請等其中一個完成或取消一個後再試。',
  // Quotas and access (the bot's own limits)
  quota_user_daily:
    '你今天已用了 {used} 張（每日上限 {limit} 張），這個請求需要 {requested} 張，所以沒有開始。你今天還能生成 {left} 張，額度將在 {resets}重置。',
  quota_guild_daily:
    '這個伺服器今天已用了 {used} 張（每日上限 {limit} 張），這個請求需要 {requested} 張，所以沒有開始。伺服器今天還剩 {left} 張，額度將在 {resets}重置。',
  quota_guild_monthly:
    '這個伺服器本月已花費 {used} 美元（每月預算 {limit} 美元），這個請求約需 {estimate} 美元，所以沒有開始。預算將在 {resets}重置。',
  guild_active_limit: '這個伺服器已有 {active} 個生成工作正在進行（上限 {limit} 個）。請等其中一個完成後再試。',
  channel_not_allowed: '這個頻道不能生成圖片。請改用以下頻道：{channels}。',
  role_not_allowed: '在這裡只有擁有以下任一身分組的成員才能生成圖片：{roles}。',
  dm_not_allowed: '你和機器人共同所在的伺服器都不允許在私訊中生成圖片。請改在伺服器裡使用 /imagine。',
  settings_forbidden: '只有擁有「管理伺服器」權限的成員才能變更這些設定。',
  settings_guild_only: '設定屬於伺服器：請在伺服器中使用 /settings。',
  settings_value_invalid: '這個數值不適用：請輸入 {min} 到 {max} 之間的數字。',
  submit_failed: '無法把你的請求送到 RunComfy。請稍後再試。',
  job_not_found: '找不到這個生成工作，它可能太久以前而已經被清除了。',
  job_cancelled: '這次生成已取消。',
  job_timed_out: '這次生成在 {minutes} 分鐘內沒有完成，所以我們不再等待它。',
  queue_timed_out: '機器人忙於其他請求已達 {minutes} 分鐘，這次請求一直未能開始，也沒有產生任何費用。請再試一次。',
  generation_failed: '模型無法生成這組圖片。請換個方式描述，或稍後再試。',
  job_illegal_transition: '因為內部錯誤，機器人無法繼續追蹤這次生成。請告訴管理員。',

  output_empty: '模型已經完成，但沒有回傳可用的圖片。請再試一次，或換個提示詞。',
  output_malformed: '模型回傳的結果格式機器人看不懂。請稍後再試；如果一直發生，請告訴管理員。',
  images_expired: '這些圖片已經無法取得：在下載之前就過期了。',
  images_download_failed: '圖片已經生成，但無法下載。請稍後再試。',
  image_gone: '有一張圖片已經無法下載。',
  image_too_large: '有一張圖片太大，無法下載。',
  image_not_an_image: 'RunComfy 回傳的檔案不是圖片。',
  image_download_transient: '有一張圖片暫時無法下載。請再試一次。',
  image_too_many_pixels: '有一張圖片的像素遠超過模型會產生的大小，所以無法使用。',
  image_host_refused: '有一張圖片所在的主機指向私人網路，所以沒有下載。',
  delivery_failed: '圖片已經生成，但機器人無法在這裡發布。請確認機器人在這個頻道有傳送訊息和附加檔案的權限。',
  delivery_refused:
    '圖片已經生成，但 Discord 拒絕了載有圖片的訊息（錯誤 {code}）。這是機器人的問題，不是你的請求有誤：請把下方的參考編號告訴管理員。',

  card_unknown: '機器人找不到這次生成的狀態訊息，因此無法更新它。',
  interaction_expired: '這個互動已經過期（Discord 只保留 15 分鐘）。請重新執行指令。',

  store_corrupt: '無法讀取機器人儲存的資料。請告訴管理員。',
  store_unreachable: '機器人目前連不上它的資料儲存。請稍後再試；如果一直發生，請告訴管理員。',
  store_contention: '機器人現在非常忙碌。請稍後再試。',
  store_write_failed: '機器人暫時無法儲存資料。請稍後再試。',
  store_url_invalid: '機器人的儲存設定（STORE_URL）無效。請告訴管理員。',
  store_in_use: '機器人的儲存空間已被另一個機器人程序使用（SQLite 只能供一個程序使用）。請告訴管理員。',
  lease_lost: '這個生成已由另一個機器人程序接手，會在那裡繼續進行。',

  // 畫廊（在唯一一則失敗通知中給管理員看）
  gallery_permissions_missing: '無法把這組圖片發佈到畫廊 {channel}：我在那裡缺少這些權限：{permissions}。',
  gallery_channel_missing: '畫廊頻道 {channel} 已不存在，因此圖片不會再發佈到畫廊。',
  gallery_tag_required:
    '畫廊 {channel} 要求每篇貼文都要有標籤，但我無法加上。請在那裡給我「管理頻道」權限，或新增「16:9」之類的長寬比標籤。',
  gallery_post_refused: 'Discord 拒絕了在 {channel} 的畫廊貼文，請檢查該頻道的設定。',

  // 參考圖片（送出前檢查）
  reference_too_many: '你提供了 {given} 張參考圖片；一次最多只能使用 {max} 張。',
  references_count_over_limit:
    '使用 {references} 張參考圖片時，最多只能要求 {maxCount} 張圖片（連同參考圖片共 {max} 張）；你要求了 {count} 張。請減少數量，或少用幾張參考圖片。',
  reference_not_public_url:
    '參考圖片「{reference}」不在公開的 HTTPS 網址上，而 RunComfy 需要自行下載參考圖片。請上傳圖片後再試一次。',
  reference_not_an_image:
    '參考檔案「{reference}」不是 PNG、JPEG 或 WebP 圖片（它是 {type}）。請附上這些格式之一的圖片。',
  reference_too_large: '參考圖片「{reference}」有 {size} MB，上限是 {max} MB。請改用較小的檔案。',
  reference_not_found: '參考圖片「{reference}」已經不在了（連結回應「找不到」）。請重新附上。',
  reference_unreachable: '無法取得參考圖片「{reference}」（{reason}）。請稍後再試，或重新附上。',
  model_unknown: '這組圖片使用的圖像模型（{model}）機器人不認得。請告訴管理員。',
});
